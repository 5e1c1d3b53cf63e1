package train

import (
	"fmt"
	"io"

	"simclr-vk/engine"
	"simclr-vk/internal/bound"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
)

// Where the training views are rendered (--augment-on).
const (
	AugmentAuto = "auto" // on the device when it is a GPU (Options.GPU)
	AugmentGPU  = "gpu"  // on the device (engine.ViewAugmenter), from the uint8 images
	AugmentCPU  = "cpu"  // by the loader's workers (augment.Apply)
)

// checkAugmentOn validates --augment-on.
func checkAugmentOn(s string) error {
	switch s {
	case AugmentAuto, AugmentGPU, AugmentCPU, "": // "": auto (a configuration from before the flag)
		return nil
	}
	return bound.Errorf("augment-on", "%q: want auto, gpu or cpu", s)
}

// viewAugmenter returns the device that renders run r's views, or nil for
// the loader's workers (ViewAugmenter under r's --augment-on and
// Options.GPU). With --micro-batch chunks the device renders one chunk's
// views at a time (deviceStep).
func (r *run) viewAugmenter(aug augment.Config) (engine.ViewAugmenter, error) {
	c, _, _ := r.train.Shape()
	h, w := LargestImage(r.train)
	return ViewAugmenter(r.b, r.cfg.AugmentOn, "augment-on", r.opt.GPU, c, h, w, aug, r.log)
}

// viewBytes is what the device and the host hold to render the views of
// a chunk of n images on the device (deviceStep renders one chunk at a
// time; n is the whole batch without --micro-batch chunks) under
// --augment-on and Options.GPU (DeviceViewBytes, HostViewBytes), or nil
// where the loader's workers render them: the --micro-batch auto budget
// counts it for the chunk it picks (SetMicroBatch).
func (r *run) viewBytes() func(n int) (device, host int64) {
	va, ok := r.b.(engine.ViewAugmenter)
	mode := r.cfg.AugmentOn
	if !ok || mode == AugmentCPU || (mode != AugmentGPU && !r.opt.GPU) {
		return nil
	}
	c, _, _ := r.train.Shape()
	h, w := LargestImage(r.train)
	if int64(c)*int64(h)*int64(w) > va.AugmentLimit() {
		return nil // refused or rendered by the workers (ViewAugmenter)
	}
	side := r.size()
	return func(n int) (device, host int64) {
		return DeviceViewBytes(va, n, c, side, h, w), HostViewBytes(va, n, c, h, w)
	}
}

// HostViewBytes bounds the host memory va keeps to render the views of n
// images of c channels, the largest h x w: the buffer of one upload's
// packed source bytes (at most AugmentLimit, and no more than the batch's
// bytes), which the device family keeps across batches.
func HostViewBytes(va engine.ViewAugmenter, n, c, h, w int) int64 {
	return min(va.AugmentLimit(), int64(n)*int64(c)*int64(h)*int64(w))
}

// DeviceViewBytes bounds the device memory va takes to render the two
// views of side x side of n images of c channels, the largest h x w,
// beyond the views themselves: one upload of source bytes (at most
// AugmentLimit), the blur's scratch copy of the views and the view table.
func DeviceViewBytes(va engine.ViewAugmenter, n, c, side, h, w int) int64 {
	views := 2 * int64(n)
	src := HostViewBytes(va, n, c, h, w) // one upload: as large as the host's packed buffer
	return src + 4*views*int64(c)*int64(side)*int64(side) + 4*views*32
}

// LargestImage is the height and width of the image of ds with the most
// pixels, read without decoding (data.Sized), or Shape's size where the
// images share it.
func LargestImage(ds data.Dataset) (h, w int) {
	_, h, w = ds.Shape()
	s, ok := ds.(data.Sized)
	if !ok || !s.SizesVary() {
		return h, w
	}
	h, w = 0, 0
	for i := range ds.Len() {
		ih, iw := s.ImageSize(i)
		if int64(ih)*int64(iw) > int64(h)*int64(w) {
			h, w = ih, iw
		}
	}
	return h, w
}

// ViewAugmenter is the rule of --augment-on (mode, an Augment* constant;
// flag names the option in errors): the device b that renders the views
// of c-channel images (the largest h x w: LargestImage) under aug, or nil
// for the loader's workers. cpu is always nil; gpu needs a backend with
// engine.ViewAugmenter; auto takes the device where it has one and it is
// a GPU (gpu: not a CPU device such as lavapipe). Either way the largest
// image must fit one upload to the device (AugmentLimit; a batch of many
// goes up in several) and the device's views must pass augment.SelfCheck:
// gpu fails otherwise, auto falls back to the workers with a note on log.
func ViewAugmenter(b engine.Backend, mode, flag string, gpu bool, c, h, w int, aug augment.Config, log io.Writer) (engine.ViewAugmenter, error) {
	if mode == AugmentCPU {
		return nil, nil
	}
	va, ok := b.(engine.ViewAugmenter)
	if mode == AugmentGPU {
		if !ok {
			return nil, bound.Errorf(flag, "gpu: the %s backend renders no views on the device (a Vulkan device does: --backend vulkan); use --%s cpu", b.Name(), flag)
		}
	} else if !ok || !gpu {
		return nil, nil
	}
	if src, lim := int64(c)*int64(h)*int64(w), va.AugmentLimit(); src > lim {
		why := fmt.Sprintf("the largest image (%d x %dx%d, %s) is more than the %s one upload to the device takes", c, h, w, bound.Bytes(float64(src)), bound.Bytes(float64(lim)))
		if mode == AugmentGPU {
			return nil, bound.Errorf(flag, "gpu: %s; use --%s cpu, or smaller images (simclr-vk prepare --max-side)", why, flag)
		}
		fmt.Fprintf(log, "note: views rendered by the loader's workers (--%s auto): %s\n", flag, why)
		return nil, nil
	}
	if err := augment.SelfCheck(b, va, c, aug); err != nil {
		if mode == AugmentGPU {
			return nil, bound.Errorf(flag, "gpu: %v", err)
		}
		fmt.Fprintf(log, "note: views rendered by the loader's workers (--%s auto): %v\n", flag, err)
		return nil, nil
	}
	return va, nil
}

// deviceStep renders batch bt's views (bt.Images, bt.Params) on va and
// steps the model on them (layers.Model.StepViews). Without --micro-batch
// chunks that is one render of the (2N, C, S, S) batch. With chunks, each
// chunk's views are rendered when the chunked step needs them, from that
// chunk's images and descriptors alone (chunkViews): once for the forward
// that only computes z and again for the recorded one. Both renders give
// the same values, as the gradient caching requires (the descriptors were
// sampled once, on the host, and the device's rendering, the noise
// included, is a function of them), and so the device never holds more
// than one chunk's views and source bytes; the price is a second render
// of each chunk, small beside the forward it feeds. (Rendering the batch
// once and keeping it, on the device or through the host, would hold the
// whole batch's views again.)
func (r *run) deviceStep(va engine.ViewAugmenter, bt *augment.Batch, aug augment.Config) (loss, acc float32, err error) {
	images, views := augment.DeviceBatch(bt, aug)
	render := func(x *engine.Tensor, lo, n int) {
		ci, cv := chunkViews(images, views, bt.N, lo, n)
		va.AugmentViews(x, ci, cv)
	}
	loss, acc, err = r.m.StepViews(bt.N, bt.H, bt.W, render, float32(r.cfg.Temperature))
	if err != nil {
		return 0, 0, fmt.Errorf("views rendered on the device: %w", err)
	}
	return loss, acc, nil
}

// chunkViews is the part for images lo..lo+n-1 of a batch of bigN images
// and its 2bigN view descriptors (augment.DeviceBatch: row r the view of
// image r mod bigN, view 1 of every image, then view 2): those n images and
// their 2n views in the same layout, each naming its image's index among
// the n (layers.Model.StepViews' render).
func chunkViews(images []engine.AugmentImage, views []engine.AugmentView, bigN, lo, n int) ([]engine.AugmentImage, []engine.AugmentView) {
	if lo == 0 && n == bigN {
		return images, views
	}
	cv := make([]engine.AugmentView, 0, 2*n)
	for v := range 2 {
		for _, d := range views[v*bigN+lo : v*bigN+lo+n] {
			d.Image -= lo
			cv = append(cv, d)
		}
	}
	return images[lo : lo+n], cv
}
