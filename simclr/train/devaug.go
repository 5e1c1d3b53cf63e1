package train

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/internal/bound"
	"simclr-vk/simclr/augment"
)

// Where the training views are rendered (--augment-on).
const (
	AugmentAuto = "auto" // on the device when it is a GPU (Options.GPU) and the batch is stepped whole
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
// the loader's workers: --augment-on gpu needs a backend with
// engine.ViewAugmenter and a batch stepped whole (micro-batch chunks
// upload views from the host, one chunk at a time); auto takes the device
// where it can and it is a GPU (Options.GPU). Either way the device's views
// must first pass augment.SelfCheck under aug: gpu fails without it, auto
// falls back to the workers with a note. Call it after SetMicroBatch.
func (r *run) viewAugmenter(aug augment.Config) (engine.ViewAugmenter, error) {
	mode := r.cfg.AugmentOn
	if mode == AugmentCPU {
		return nil, nil
	}
	va, ok := r.b.(engine.ViewAugmenter)
	n := max(1, r.cfg.BatchSize/r.comm.Size())
	chunked := r.m.MicroBatch() > 0 && r.m.MicroBatch() < n
	if mode == AugmentGPU {
		switch {
		case !ok:
			return nil, bound.Errorf("augment-on", "gpu: the %s backend renders no views on the device; use --augment-on cpu", r.b.Name())
		case chunked:
			return nil, bound.Errorf("augment-on", "gpu with --micro-batch chunks (%d of %d images) is not supported yet: the device would hold the whole batch's views; use --augment-on cpu", r.m.MicroBatch(), n)
		}
	} else if !ok || !r.opt.GPU || chunked {
		return nil, nil
	}
	c, _, _ := r.train.Shape()
	if err := augment.SelfCheck(r.b, va, c, aug); err != nil {
		if mode == AugmentGPU {
			return nil, bound.Errorf("augment-on", "gpu: %v", err)
		}
		fmt.Fprintf(r.log, "note: views rendered by the loader's workers (--augment-on auto): %v\n", err)
		return nil, nil
	}
	return va, nil
}

// deviceStep renders batch bt's views (bt.Images, bt.Params) on va into a
// (2N, C, S, S) tensor and steps the model on it.
func (r *run) deviceStep(va engine.ViewAugmenter, bt *augment.Batch, aug augment.Config) (loss, acc float32, err error) {
	images := make([]engine.AugmentImage, len(bt.Images))
	for i, im := range bt.Images {
		images[i] = augment.DeviceImage(im)
	}
	views := make([]engine.AugmentView, len(bt.Params))
	for row, p := range bt.Params {
		views[row] = augment.DeviceView(p, row%bt.N, aug)
	}
	x := r.b.New(len(views), bt.C, bt.H, bt.W)
	defer x.Release()
	va.AugmentViews(x, images, views)
	loss, acc, err = r.m.Step(x, float32(r.cfg.Temperature))
	if err != nil {
		return 0, 0, fmt.Errorf("views rendered on the device: %w", err)
	}
	return loss, acc, nil
}
