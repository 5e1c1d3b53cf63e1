package main

import (
	"fmt"
	"os"

	"simclr-vk/engine"
	"simclr-vk/internal/bound"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/train"
)

// The GPU path of bench data (--augment gpu, or auto on a Vulkan GPU): the
// views rendered by an engine.ViewAugmenter from the uint8 images, as
// train --augment-on gpu renders them (train.ViewAugmenter's rule, the
// self-check first).

// openAugmenter opens the backend of bf for --augment gpu or auto (cpu
// opens none) and returns the device that renders the views of the images
// of ds under cfg, or nil where the loader's workers render them (cpu, or
// auto without a Vulkan GPU, with an image larger than one upload to the
// device or with a failed self-check); res.Augment
// becomes the path measured, res.Backend and res.Device the device's. done
// closes the backend (call it when va is no longer used).
func openAugmenter(bf *backendFlags, res *dataResult, ds data.Dataset, cfg augment.Config, opt benchDataOptions) (va engine.ViewAugmenter, b engine.Backend, done func(), err error) {
	done = func() {}
	if res.Augment == train.AugmentCPU {
		return nil, nil, done, nil
	}
	c, _, _ := ds.Shape()
	h, w := train.LargestImage(ds)
	side := float64(cfg.Size)
	fits := func(limit uint64) error { // a batch's views and the blur's copy of them
		return bound.Memory(4*2*2*float64(res.Batch)*float64(c)*side*side, limit, "the device's views of a batch", "batch", "image-size")
	}
	opened, err := bf.checkOpen(fits)
	if err != nil {
		return nil, nil, done, err
	}
	b = opened
	if opt.opened != nil {
		b = opt.opened(opened)
	}
	va, err = train.ViewAugmenter(b, res.Augment, "augment", gpuDevice(b), c, h, w, cfg, os.Stderr)
	if err != nil || va == nil {
		closeBackend(opened)
		res.Augment = train.AugmentCPU
		return nil, nil, done, err
	}
	res.Augment, res.Backend, res.Device = train.AugmentGPU, b.Name(), b.Describe()
	return va, b, func() { closeBackend(opened) }, nil
}

// deviceAugmentPass returns a pass of the augment stage on va: n images
// cycling through held, batch images per AugmentViews (the uint8 bytes
// uploaded by each, as in training), each batch waited for (b.Flush, as a
// training step waits for its loss). The views' Params are sampled once,
// outside the timing: the device's work alone is measured.
func deviceAugmentPass(b engine.Backend, va engine.ViewAugmenter, held []data.Image, n, batch int, cfg augment.Config) func() error {
	params := make([][2]augment.Params, len(held))
	for i, im := range held {
		for v := range 2 {
			params[i][v] = augment.Sample(cfg, augment.ViewRNG(1, 0, i, v), im.H, im.W)
		}
	}
	return func() error {
		for start := 0; start < n; start += batch {
			k := min(batch, n-start)
			images := make([]engine.AugmentImage, k)
			views := make([]engine.AugmentView, 2*k)
			for i := range k {
				j := (start + i) % len(held)
				images[i] = augment.DeviceImage(held[j])
				for v := range 2 {
					views[v*k+i] = augment.DeviceView(params[j][v], i, cfg)
				}
			}
			if err := renderViews(b, va, images, views, held[0].C, cfg.Size); err != nil {
				return err
			}
		}
		return nil
	}
}

// renderViews renders views of images on va and waits for them.
func renderViews(b engine.Backend, va engine.ViewAugmenter, images []engine.AugmentImage, views []engine.AugmentView, c, size int) error {
	x := b.New(len(views), c, size, size)
	defer x.Release()
	va.AugmentViews(x, images, views)
	if err := b.Flush(); err != nil {
		return fmt.Errorf("bench data: views rendered on %s: %w", b.Name(), err)
	}
	return nil
}

// loaderEpoch reads one epoch of training batches; with va (and
// cfg.DeviceViews) it renders each batch's views on va, as train does
// before each step.
func loaderEpoch(ds data.Dataset, cfg augment.LoaderConfig, b engine.Backend, va engine.ViewAugmenter) error {
	return augment.Epoch(ds, cfg, func(bt *augment.Batch) error {
		if va == nil {
			return nil
		}
		images, views := augment.DeviceBatch(bt, cfg.Aug)
		return renderViews(b, va, images, views, bt.C, bt.H)
	})
}
