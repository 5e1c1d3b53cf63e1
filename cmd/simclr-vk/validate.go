package main

import (
	"fmt"
	"os"
	"path/filepath"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/simclr/train"
)

// Ranges of the commands' numeric flags, checked before any file is opened
// for writing or any work starts (the training flags' are train.Max*).
const (
	maxBatch   = 1 << 20 // images per forward pass
	maxThreads = 4096
	maxIters   = 1_000_000 // timed runs, repeats, steps
	maxSamples = 1 << 16   // export --check-samples
	maxGemmDim = 1 << 17   // bench gemm --size
	maxChannel = 64        // input channels (--in-channels, --image HxWxC)
	maxLayers  = 16        // --proj-layers
)

// check validates the flags shared by eval, finetune and embed.
func (f *modelDataFlags) check() error {
	return bound.Check(
		bound.Int("image-size", int64(*f.imageSize), 0, train.MaxImageSide),
		bound.Int("batch", int64(*f.batch), 1, maxBatch),
		bound.Int("workers", int64(*f.workers), 0, train.MaxWorkers),
	)
}

// check validates the architecture flags. --width and --in-channels left
// out are inferred from the weights; given, they must be positive.
func (a *archFlags) check() error {
	minIn := int64(0)
	if a.fs.Changed("in-channels") {
		minIn = 1
	}
	return bound.Check(
		bound.Float("width", *a.width, 0, train.MaxWidth, a.fs.Changed("width")),
		bound.Int("in-channels", int64(*a.inChannels), minIn, maxChannel),
		bound.Int("proj-layers", int64(*a.projLayers), 0, maxLayers),
		bound.Int("proj-hidden", int64(*a.projHidden), 0, train.MaxDim),
		bound.Int("proj-out", int64(*a.projOut), 0, train.MaxDim),
	)
}

// check validates --threads.
func (f *backendFlags) check() error {
	if _, err := cpu.ParseConvImpl(*f.cpuConv); err != nil {
		return fmt.Errorf("--cpu-conv: %w", err)
	}
	return bound.Int("threads", int64(*f.threads), 0, maxThreads)
}

// modelMemory refuses a model of cfg run on batches of views images of
// side x side pixels that would not fit in limit bytes (0: the physical
// memory). The estimate: parameters with gradients and two optimizer
// states, and the activations kept for the backward pass (views 0: the
// parameters only).
func modelMemory(cfg layers.Config, side, views int, limit uint64, flags ...string) error {
	need := 16 * layers.EstimateParams(cfg.Encoder, cfg.Head)
	what := fmt.Sprintf("a %s at width %g (parameters, gradients, optimizer state", cfg.Encoder.WithDefaults().Arch, cfg.Encoder.WithDefaults().Width)
	if views > 0 {
		need += 4 * float64(views) * layers.EstimateViewFloats(cfg.Encoder, side)
		what += fmt.Sprintf(" and the activations of %d images of %dx%d", views, side, side)
	}
	return bound.Memory(need, limit, what+")", flags...)
}

// inferMemory refuses eval-mode forward passes (eval, embed, export's
// check images: Model.Features) of a model of cfg on batches of batch
// images of side x side pixels that would not fit in limit bytes (0: the
// physical memory). The estimate: the parameters and the activations alive
// at once (layers.EstimateInferFloats); nothing is kept for a backward pass.
func inferMemory(cfg layers.Config, side, batch int, limit uint64, flags ...string) error {
	need := 4*layers.EstimateParams(cfg.Encoder, cfg.Head) + 4*float64(batch)*layers.EstimateInferFloats(cfg.Encoder, side)
	what := fmt.Sprintf("an eval-mode pass of a %s at width %g (parameters and the activations of %d images of %dx%d)",
		cfg.Encoder.WithDefaults().Arch, cfg.Encoder.WithDefaults().Width, batch, side, side)
	return bound.Memory(need, limit, what, flags...)
}

// deviceMemory is the memory b's buffers live in: the largest
// device-local heap of a Vulkan device; 0 (the physical memory) for the
// CPU backend.
func deviceMemory(b engine.Backend) uint64 {
	d, ok := b.(*vulkan.Device)
	if !ok {
		return 0
	}
	info := d.Info()
	var m uint64
	for i, h := range info.HeapBytes {
		if i < len(info.HeapDeviceLocal) && info.HeapDeviceLocal[i] {
			m = max(m, h)
		}
	}
	return m
}

// gpuDevice reports whether b runs on a Vulkan device that is a GPU (not
// a CPU device such as lavapipe): where train --augment-on auto renders the
// views.
func gpuDevice(b engine.Backend) bool {
	d, ok := b.(*vulkan.Device)
	return ok && d.Info().Type != "cpu"
}

// onDevice runs a memory check again with b's device memory where that is
// not the physical memory (a check with the physical memory ran before b
// was opened).
func onDevice(b engine.Backend, check func(limit uint64) error) error {
	if l := deviceMemory(b); l > 0 {
		return check(l)
	}
	return nil
}

// prepareOut checks, before any long work and without creating anything,
// that each output file could be written ("" and "-" are not files); the
// directories are made by mkdirFor just before the write.
func prepareOut(flag string, paths ...string) error {
	for _, p := range paths {
		if p == "" || p == "-" {
			continue
		}
		if err := bound.WritableFile(flag, p); err != nil {
			return err
		}
	}
	return nil
}

// mkdirFor creates the directory of an output file.
func mkdirFor(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	return nil
}
