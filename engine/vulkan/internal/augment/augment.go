package augment

import (
	"math"
	"slices"

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

// Ops is the family on one device: its upload limit and the host buffers
// a batch is packed into (the view table, the blur taps, each upload's
// bytes and the upload plan), kept across batches so that a batch no
// larger than the largest seen allocates none. The bytes buffer holds one
// upload, so it never exceeds the limit, and is given back to the garbage
// collector after a run of smaller batches (trim). Like the Device, Ops
// is used by one goroutine at a time.
type Ops struct {
	rt    *vkrt.Device
	limit int64

	words   []float32 // one upload's packed bytes (pack)
	small   int       // batches in a row whose uploads needed under a quarter of words (trim)
	words32 []uint32  // the view table's words (viewTable)
	table   []float32 // the same bits as float32 values
	taps    []float32
	plan    planBufs
}

// New returns the family for rt with uploads of UploadLimit(rt, want)
// bytes.
func New(rt *vkrt.Device, want int64) *Ops {
	return &Ops{rt: rt, limit: UploadLimit(rt, want)}
}

// Limit is the most source bytes one upload takes (UploadLimit), the
// largest image Views renders.
func (o *Ops) Limit() int64 { return o.limit }

// Views records dst (len(views), C, size, size) = the views of images
// (engine.ViewAugmenter). The source bytes go up in uploads of at most
// Limit bytes, one augment_resample dispatch each (plan); an image larger
// than that is refused: the device's sticky error names it and nothing is
// recorded.
func (o *Ops) Views(dst *engine.Tensor, images []engine.AugmentImage, views []engine.AugmentView) {
	rt := o.rt
	engine.CheckBackend("AugmentViews", rt.Owner(), dst)
	c, size := engine.CheckAugment(dst, images, views)
	var vt *engine.Tensor
	var taps []float32
	var all uint32
	plane := c * size * size
	err := o.host(images, views, func(table, tp []float32, flags uint32) {
		vt = rt.NewScratch(len(table))
		rt.Upload(vt, table)
		taps, all = tp, flags
	}, func(ch chunk, words []float32) {
		pix := rt.NewScratch(len(words))
		rt.Upload(pix, words)
		sel := rt.NewScratch(len(ch.views))
		rt.Upload(sel, ch.views)
		push := &Push{uint32(len(ch.views)), uint32(c), uint32(size)}
		rt.Dispatch(vkrt.Kernel{Shader: "augment_resample", Push: push, Groups: rt.Grid1D(len(ch.views)*plane, local),
			Args: []vkrt.Arg{vkrt.Out(dst), vkrt.In(vt), vkrt.In(pix), vkrt.In(sel)}})
		pix.Release()
		sel.Release()
	})
	if err != nil {
		rt.Fail(err)
		return
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

// host is a batch's host work, in the order the device needs it: the
// uploads planned, then table (the view table, the taps and the union of
// the flags, from viewTable), then upload once per upload piece with its
// packed words (o's buffer, valid during the call); then o's buffers
// trimmed. Views, its tests and its benchmark all go through it.
func (o *Ops) host(images []engine.AugmentImage, views []engine.AugmentView,
	table func(table, taps []float32, all uint32), upload func(ch chunk, words []float32)) error {
	chunks, offsets, err := o.plan.plan(images, views, o.limit)
	if err != nil {
		return err
	}
	table(o.viewTable(views, images, offsets))
	for _, ch := range chunks {
		upload(ch, o.pack(images, ch))
	}
	o.trim(chunks)
	return nil
}

// viewTable is the views' parameter table (as float32 values carrying the
// words' bits), the blurring views' Gaussian taps back to back
// (engine.AugmentGaussian, the CPU's; word 13 is a view's offset in them)
// and the union of the views' flags.
// Both slices are o's buffers, valid until the next call.
func (o *Ops) viewTable(views []engine.AugmentView, images []engine.AugmentImage, offsets []uint64) ([]float32, []float32, uint32) {
	taps := o.taps[:0]
	o.words32 = grow(o.words32, len(views)*viewWords)
	t := o.words32
	f := math.Float32bits
	var all uint32
	for v, p := range views {
		w := t[v*viewWords : (v+1)*viewWords]
		clear(w)
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
			n := len(taps)
			taps = slices.Grow(taps, p.Kernel)[:n+p.Kernel]
			engine.AugmentGaussianTo(taps[n:], p.Sigma)
		}
		w[14] = uint32(p.Kernel)
		w[15], w[16], w[17] = f(float32(p.Noise)), uint32(p.NoiseSeed), uint32(p.NoiseSeed>>32)
		for c := range p.Mean {
			w[18+c], w[21+c] = f(p.Mean[c]), f(1/p.Std[c])
		}
	}
	o.table = grow(o.table, len(t))
	for i, x := range t {
		o.table[i] = math.Float32frombits(x)
	}
	o.taps = taps
	return o.table, taps, all
}

// grow returns s resized to n, reallocating only when its capacity is short.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
