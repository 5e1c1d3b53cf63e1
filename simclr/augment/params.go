package augment

import (
	"math"
	"math/rand/v2"
)

// Crop is a source rectangle in pixels: columns [X, X+W), rows [Y, Y+H).
type Crop struct{ X, Y, W, H int }

// Colour jitter operations, the values of Params.Order.
const (
	OpBrightness = iota
	OpContrast
	OpSaturation
	OpHue
)

// Params are the random choices of one view, drawn by Sample and rendered
// by Apply.
type Params struct {
	Crop Crop // source rectangle, resized to Size x Size
	Flip bool // mirror horizontally
	// Jitter applies the four colour operations in Order with these
	// factors: Brightness, Contrast and Saturation multiply (1 = identity),
	// Hue shifts by a fraction of the colour circle (0 = identity).
	Jitter                                bool
	Order                                 [4]int
	Brightness, Contrast, Saturation, Hue float64
	Gray                                  bool    // convert to grayscale
	Blur                                  bool    // Gaussian blur
	Sigma                                 float64 // blur sigma in pixels
	Kernel                                int     // blur kernel size (odd)
	Solarize                              bool    // x >= 0.5 becomes 1 - x (after blur)
	// Noise is the standard deviation of the additive Gaussian noise (0:
	// none), NoiseSeed the seed of its counter-based values (NoiseValue).
	Noise     float64
	NoiseSeed uint64
}

// ViewRNG returns the random stream of one view, a pure function of
// (seed, epoch, dataset index, view index).
func ViewRNG(seed uint64, epoch, index, view int) *rand.Rand {
	return rand.New(rand.NewPCG(viewSeed(seed, epoch, index, view)))
}

// viewSeed is the PCG seed of ViewRNG: a worker that reseeds one PCG with
// it per view draws ViewRNG's stream without allocating a generator.
func viewSeed(seed uint64, epoch, index, view int) (uint64, uint64) {
	h := splitmix(seed ^ splitmix(uint64(epoch)+0x9e3779b97f4a7c15))
	h = splitmix(h ^ uint64(index))
	h = splitmix(h ^ uint64(view)<<48)
	return h, splitmix(h)
}

// splitmix is the SplitMix64 finaliser, a good 64-bit mixing function.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func uniform(rng *rand.Rand, a, b float64) float64 { return a + (b-a)*rng.Float64() }

// SampleCrop draws a random resized crop of an h x w image as torchvision's
// RandomResizedCrop.get_params: up to cfg.CropAttempts tries of a target
// area U[MinScale, MaxScale] * h * w and log-uniform aspect ratio w/h that
// fits; otherwise the centre crop of the whole image with its aspect ratio
// clamped to [MinRatio, MaxRatio].
func SampleCrop(cfg Config, rng *rand.Rand, h, w int) Crop {
	area := float64(h * w)
	lo, hi := math.Log(cfg.MinRatio), math.Log(cfg.MaxRatio)
	for range cfg.CropAttempts {
		target := area * uniform(rng, cfg.MinScale, cfg.MaxScale)
		ratio := math.Exp(uniform(rng, lo, hi))
		cw := int(math.Round(math.Sqrt(target * ratio)))
		ch := int(math.Round(math.Sqrt(target / ratio)))
		if cw > 0 && cw <= w && ch > 0 && ch <= h {
			return Crop{X: rng.IntN(w - cw + 1), Y: rng.IntN(h - ch + 1), W: cw, H: ch}
		}
	}
	in := float64(w) / float64(h)
	cw, ch := w, h
	switch {
	case in < cfg.MinRatio:
		ch = int(math.Round(float64(cw) / cfg.MinRatio))
	case in > cfg.MaxRatio:
		cw = int(math.Round(float64(ch) * cfg.MaxRatio))
	}
	return Crop{X: (w - cw) / 2, Y: (h - ch) / 2, W: cw, H: ch}
}

// Sample draws the parameters of one view of an h x w image.
func Sample(cfg Config, rng *rand.Rand, h, w int) Params {
	p := Params{Crop: SampleCrop(cfg, rng, h, w), Brightness: 1, Contrast: 1, Saturation: 1, Order: [4]int{0, 1, 2, 3}}
	p.Flip = rng.Float64() < cfg.FlipP
	if rng.Float64() < cfg.JitterP {
		p.Jitter = true
		s := cfg.JitterStrength
		p.Brightness = uniform(rng, max(0, 1-0.8*s), 1+0.8*s)
		p.Contrast = uniform(rng, max(0, 1-0.8*s), 1+0.8*s)
		p.Saturation = uniform(rng, max(0, 1-0.8*s), 1+0.8*s)
		p.Hue = uniform(rng, -0.2*s, 0.2*s)
		copy(p.Order[:], rng.Perm(4))
	}
	p.Gray = rng.Float64() < cfg.GrayP
	if cfg.BlurEnabled() && rng.Float64() < cfg.BlurP {
		p.Blur = true
		p.Sigma = uniform(rng, cfg.SigmaMin, cfg.SigmaMax)
		p.Kernel = cfg.BlurKernel()
	}
	// Draws of the later additions only when they are on, so that the views
	// of every earlier configuration stay bit-identical.
	if cfg.SolarizeP > 0 {
		p.Solarize = rng.Float64() < cfg.SolarizeP
	}
	if cfg.NoiseStd > 0 {
		p.Noise = cfg.NoiseStd
		p.NoiseSeed = rng.Uint64()
	}
	return p
}

// CentreParams are the parameters of a plain centre crop: the centred
// square of side min(h, w), resized to Size (bilinear, no anti-aliasing),
// nothing else. The evaluation transform is EvalView.
func CentreParams(h, w int) Params {
	s := min(h, w)
	return Params{Crop: Crop{X: (w - s) / 2, Y: (h - s) / 2, W: s, H: s}, Brightness: 1, Contrast: 1, Saturation: 1}
}
