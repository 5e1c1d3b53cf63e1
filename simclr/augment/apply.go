package augment

import (
	"fmt"
	"math/rand/v2"

	"simclr-vk/simclr/data"
)

// Apply renders the view of src described by p into dst, which must hold
// src.C * cfg.Size * cfg.Size values (CHW). Values are in [0, 1] unless
// cfg.Mean/Std normalise them.
func Apply(dst []float32, src data.Image, p Params, cfg Config) {
	s := cfg.Size
	plane := s * s
	if len(dst) != src.C*plane {
		panic(fmt.Sprintf("augment: Apply: dst has %d values, want %d (%d x %d x %d)", len(dst), src.C*plane, src.C, s, s))
	}
	sc := getScratch()
	defer scratchPool.Put(sc)
	sc.resample(dst, src, p, s)
	if p.Jitter {
		for _, op := range p.Order {
			switch op {
			case OpBrightness:
				Brightness(dst, p.Brightness)
			case OpContrast:
				Contrast(dst, src.C, plane, p.Contrast)
			case OpSaturation:
				Saturation(dst, src.C, plane, p.Saturation)
			case OpHue:
				Hue(dst, src.C, plane, p.Hue)
			}
		}
	}
	if p.Gray {
		Grayscale(dst, src.C, plane)
	}
	if p.Blur {
		sc.plane = grow(sc.plane, plane)
		sc.blur(dst, sc.plane, src.C, s, s, p.Kernel, p.Sigma)
	}
	if p.Solarize {
		Solarize(dst)
	}
	if p.Noise > 0 {
		Noise(dst, src.C, plane, p.Noise, p.NoiseSeed)
	}
	if len(cfg.Mean) > 0 {
		for c := 0; c < src.C; c++ {
			m, inv := cfg.Mean[c], 1/cfg.Std[c]
			x := dst[c*plane : (c+1)*plane]
			for i := range x {
				x[i] = (x[i] - m) * inv
			}
		}
	}
}

// View samples a view's parameters from rng and renders it into dst.
func View(dst []float32, src data.Image, cfg Config, rng *rand.Rand) Params {
	p := Sample(cfg, rng, src.H, src.W)
	Apply(dst, src, p, cfg)
	return p
}

// EvalView renders the evaluation view of src into dst: the reference's
// transform, torchvision Resize(Size) then CenterCrop(Size)
// (data.EvalTransform), then cfg.Mean/Std. It takes images of any size.
func EvalView(dst []float32, src data.Image, cfg Config) {
	im := data.EvalTransform(src, cfg.Size)
	Apply(dst, im, CentreParams(im.H, im.W), cfg)
}
