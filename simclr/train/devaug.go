package train

import (
	"fmt"
	"io"

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
// the loader's workers (ViewAugmenter under r's --augment-on and
// Options.GPU), and refuses a batch stepped in micro-batch chunks: those
// upload views from the host, one chunk at a time. Call it after
// SetMicroBatch.
func (r *run) viewAugmenter(aug augment.Config) (engine.ViewAugmenter, error) {
	mode := r.cfg.AugmentOn
	n := max(1, r.cfg.BatchSize/r.comm.Size())
	if r.m.MicroBatch() > 0 && r.m.MicroBatch() < n && mode != AugmentCPU {
		if _, ok := r.b.(engine.ViewAugmenter); ok && mode == AugmentGPU {
			return nil, bound.Errorf("augment-on", "gpu with --micro-batch chunks (%d of %d images) is not supported yet: the device would hold the whole batch's views; use --augment-on cpu", r.m.MicroBatch(), n)
		}
		if mode != AugmentGPU {
			return nil, nil
		}
	}
	c, _, _ := r.train.Shape()
	return ViewAugmenter(r.b, mode, "augment-on", r.opt.GPU, c, aug, r.log)
}

// ViewAugmenter is the rule of --augment-on (mode, an Augment* constant;
// flag names the option in errors): the device b that renders the views
// of c-channel images under aug, or nil for the loader's workers. cpu is
// always nil; gpu needs a backend with engine.ViewAugmenter; auto takes
// the device where it has one and it is a GPU (gpu: not a CPU device such
// as lavapipe). Either way the device's views must first pass
// augment.SelfCheck: gpu fails without it, auto falls back to the workers
// with a note on log.
func ViewAugmenter(b engine.Backend, mode, flag string, gpu bool, c int, aug augment.Config, log io.Writer) (engine.ViewAugmenter, error) {
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
	if err := augment.SelfCheck(b, va, c, aug); err != nil {
		if mode == AugmentGPU {
			return nil, bound.Errorf(flag, "gpu: %v", err)
		}
		fmt.Fprintf(log, "note: views rendered by the loader's workers (--%s auto): %v\n", flag, err)
		return nil, nil
	}
	return va, nil
}

// deviceStep renders batch bt's views (bt.Images, bt.Params) on va into a
// (2N, C, S, S) tensor and steps the model on it.
func (r *run) deviceStep(va engine.ViewAugmenter, bt *augment.Batch, aug augment.Config) (loss, acc float32, err error) {
	images, views := augment.DeviceBatch(bt, aug)
	x := r.b.New(len(views), bt.C, bt.H, bt.W)
	defer x.Release()
	va.AugmentViews(x, images, views)
	loss, acc, err = r.m.Step(x, float32(r.cfg.Temperature))
	if err != nil {
		return 0, 0, fmt.Errorf("views rendered on the device: %w", err)
	}
	return loss, acc, nil
}
