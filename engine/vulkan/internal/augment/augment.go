package augment

import (
	"math"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Push mirrors `{ uint views; uint c; uint size; }` of every augment_*
// shader.
type Push struct {
	Views, C, Size uint32
}

// Shaders is the family's kernel table: each shader with its push-constant
// struct (package vulkan's TestPushConstants checks them against the GLSL).
var Shaders = map[string]any{
	"augment_resample": Push{}, "augment_color": Push{}, "augment_blur_h": Push{}, "augment_finish": Push{},
}

// viewWords is VIEW_WORDS of shaders/augment_view.glsl.
const viewWords = 24

// The view flags VF_* of shaders/augment_view.glsl.
const (
	fFlip = 1 << iota
	fJitter
	fGray
	fBlur
	fSolarize
	fNoise
	fNormalize
	fHue
)

const local = 256 // local_size_x of the shaders

// Views records dst (len(views), C, size, size) = the views of images
// (engine.ViewAugmenter). The source bytes go up in uploads of at most
// limit bytes (UploadLimit), one augment_resample dispatch each (plan);
// an image larger than limit is refused: the device's sticky error names
// it and nothing is recorded.
func Views(rt *vkrt.Device, dst *engine.Tensor, images []engine.AugmentImage, views []engine.AugmentView, limit int64) {
	engine.CheckBackend("AugmentViews", rt.Owner(), dst)
	c, size := engine.CheckAugment(dst, images, views)
	chunks, offsets, err := plan(images, views, limit)
	if err != nil {
		rt.Fail(err)
		return
	}
	table, taps, all := viewTable(views, images, offsets)
	vt := rt.NewScratch(len(table))
	rt.Upload(vt, table)

	plane := c * size * size
	for _, ch := range chunks {
		pix := rt.NewScratch(max(1, int((ch.bytes+3)/4)))
		rt.Upload(pix, packBytes(images, ch.images, pix.Numel()))
		sel := rt.NewScratch(len(ch.views))
		rt.Upload(sel, ch.views)
		push := &Push{uint32(len(ch.views)), uint32(c), uint32(size)}
		rt.Dispatch(vkrt.Kernel{Shader: "augment_resample", Push: push, Groups: rt.Grid1D(len(ch.views)*plane, local),
			Args: []vkrt.Arg{vkrt.Out(dst), vkrt.In(vt), vkrt.In(pix), vkrt.In(sel)}})
		pix.Release()
		sel.Release()
	}
	n := dst.Numel()
	push := &Push{uint32(len(views)), uint32(c), uint32(size)}
	grid := rt.Grid1D(n, local)
	if all&(fJitter|fGray) != 0 {
		rt.Dispatch(vkrt.Kernel{Shader: "augment_color", Push: push, Groups: rt.Grid1D(len(views)*local, local),
			Args: []vkrt.Arg{vkrt.InOut(dst), vkrt.In(vt)}})
	}
	if all&(fBlur|fSolarize|fNoise|fNormalize) != 0 {
		tmp, tt := rt.NewScratch(1), rt.NewScratch(1) // bound but never read when no view blurs
		if all&fBlur != 0 {
			tmp.Release()
			tmp = rt.NewScratch(n)
			tt.Release()
			tt = rt.NewScratch(len(taps))
			rt.Upload(tt, taps)
			rt.Dispatch(vkrt.Kernel{Shader: "augment_blur_h", Push: push, Groups: grid,
				Args: []vkrt.Arg{vkrt.Out(tmp), vkrt.In(dst), vkrt.In(vt), vkrt.In(tt)}})
		}
		rt.Dispatch(vkrt.Kernel{Shader: "augment_finish", Push: push, Groups: grid,
			Args: []vkrt.Arg{vkrt.InOut(dst), vkrt.In(tmp), vkrt.In(vt), vkrt.In(tt)}})
		tmp.Release()
		tt.Release()
	}
	vt.Release()
}

// viewTable is the views' parameter table (as float32 values carrying the
// words' bits), the blurring views' Gaussian taps back to back
// (engine.AugmentGaussian, the CPU's; word 13 is a view's offset in them)
// and the union of the views' flags.
func viewTable(views []engine.AugmentView, images []engine.AugmentImage, offsets []uint64) ([]float32, []float32, uint32) {
	var taps []float32
	t := make([]uint32, len(views)*viewWords)
	f := math.Float32bits
	var all uint32
	for v, p := range views {
		w := t[v*viewWords : (v+1)*viewWords]
		im := images[p.Image]
		w[0], w[1], w[2] = uint32(offsets[p.Image]), uint32(im.H), uint32(im.W)
		var flags uint32
		set := func(on bool, bit uint32) {
			if on {
				flags |= bit
			}
		}
		set(p.Flip, fFlip)
		set(p.Jitter, fJitter)
		set(p.Jitter && p.Hue != 0, fHue) // the CPU skips a zero shift
		set(p.Gray, fGray)
		set(p.Blur, fBlur)
		set(p.Solarize, fSolarize)
		set(p.Noise > 0, fNoise)
		set(len(p.Mean) > 0, fNormalize)
		w[3] = flags
		all |= flags
		w[4], w[5], w[6], w[7] = uint32(p.CropX), uint32(p.CropY), uint32(p.CropW), uint32(p.CropH)
		for k, op := range p.Order {
			w[8] |= uint32(op&3) << (2 * k)
		}
		// The hue shift reduced to [0, 1) as the CPU does (augment.Hue).
		w[9], w[10], w[11], w[12] = f(float32(p.Brightness)), f(float32(p.Contrast)), f(float32(p.Saturation)), f(float32(p.Hue-math.Floor(p.Hue)))
		if p.Blur {
			w[13] = uint32(len(taps))
			taps = append(taps, engine.AugmentGaussian(p.Kernel, p.Sigma)...)
		}
		w[14] = uint32(p.Kernel)
		w[15], w[16], w[17] = f(float32(p.Noise)), uint32(p.NoiseSeed), uint32(p.NoiseSeed>>32)
		for c := range p.Mean {
			w[18+c], w[21+c] = f(p.Mean[c]), f(1/p.Std[c])
		}
	}
	out := make([]float32, len(t))
	for i, x := range t {
		out[i] = math.Float32frombits(x)
	}
	return out, taps, all
}
