package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/internal/bound"
	"simclr-vk/simclr/train"
)

// convBenchLine is one JSON line of `bench conv --json`.
type convBenchLine struct {
	Bench   string  `json:"bench"`
	Backend string  `json:"backend"`
	Device  string  `json:"device"`
	Layer   string  `json:"layer"`
	Pass    string  `json:"pass"`
	Shape   string  `json:"shape"`
	Count   int     `json:"count"`
	Iters   int     `json:"iters"`
	Ms      float64 `json:"ms"`          // median
	GFLOPs  float64 `json:"gflop_per_s"` // at the median time
	BestMs  float64 `json:"best_ms"`     // fastest run: shared machines are noisy
	// Kernel and KernelSource: the Vulkan kernel and where the choice came
	// from (table, cache or measured by --autotune).
	Kernel       string `json:"kernel,omitempty"`
	KernelSource string `json:"kernel_source,omitempty"`
	// CPUMs is the process CPU time per run (median): on a CPU device
	// (cpu backend, lavapipe) on a shared machine, CPUMs / threads is
	// what the run would take uncontended.
	CPUMs float64 `json:"cpu_ms"`
}

func runBenchConv(args []string) error {
	fs := newFlags("bench conv")
	bf := addBackendFlags(fs, "cpu")
	width := fs.Int("width", 64, "base channel count w (stages w, 2w, 4w, 8w)")
	img := addImageFlag(fs, "32x32x3", "image size HxWxC (<= 32 px: CIFAR stem)")
	batch := fs.Int("batch", 32, "images per convolution")
	iters := fs.Int("iters", 3, "timed runs per pass (after one warm-up run)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, w, c := img.h, img.w, img.c
	// The first stage's input, output and their gradients dominate.
	memory := func(limit uint64) error {
		return bound.Memory(4*4*float64(*batch)*float64(*width)*float64(h)*float64(w), limit,
			fmt.Sprintf("the convolutions of width %d on %d images of %dx%d", *width, *batch, h, w), "batch", "width", "image")
	}
	b, err := bf.checkOpen(memory,
		bound.Int("width", int64(*width), 1, train.MaxDim),
		bound.Int("batch", int64(*batch), 1, maxBatch),
		bound.Int("iters", int64(*iters), 1, maxIters))
	if err != nil {
		return err
	}
	defer closeBackend(b)
	if !*asJSON {
		fmt.Printf("%s\nResNet-18 w%d, %dx%dx%d images, batch %d, median of %d runs\n", b.Describe(), *width, h, w, c, *batch, *iters)
		fmt.Printf("%-28s %-16s %-46s %5s %9s %9s %9s %9s\n", "layer", "pass", "shape", "count", "ms", "GFLOP/s", "best ms", "cpu ms")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var totalS, totalBest, totalCPU, totalFlops float64
	for _, l := range cpu.ResNet18Convs(*width, h, w, c, *batch) {
		p := l.P
		nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C*p.R*p.S, p.N*p.K*p.OutH()*p.OutW()
		x, wt, y := b.New(nx), b.New(nw), b.New(ny)
		dx, dw := b.New(nx), b.New(nw)
		b.Upload(x, uniform(rng, nx))
		b.Upload(wt, uniform(rng, nw))
		b.Upload(y, uniform(rng, ny))
		passes := []struct {
			name string
			run  func()
		}{
			{"forward", func() { b.Conv2DForward(y, x, wt, p) }},
			{"backward_data", func() { b.Conv2DBackwardData(dx, y, wt, p) }},
			{"backward_filter", func() { b.Conv2DBackwardFilter(dw, y, x, p) }},
		}
		for _, ps := range passes {
			ps.run() // warm-up: pipelines, OpenBLAS threads
			if err := b.Flush(); err != nil {
				return fmt.Errorf("%s %s: %w", l.Name, ps.name, err)
			}
			times, cpus, err := timeRuns(b, *iters, ps.run)
			if err != nil {
				return fmt.Errorf("%s %s: %w", l.Name, ps.name, err)
			}
			s, best, cpuS := median(times), slices.Min(times), median(cpus)
			totalS += s * float64(l.Count)
			totalBest += best * float64(l.Count)
			totalCPU += cpuS * float64(l.Count)
			totalFlops += p.Flops() * float64(l.Count)
			line := convBenchLine{Bench: "conv", Backend: b.Name(), Device: b.Describe(), Layer: l.Name, Pass: ps.name,
				Shape: p.String(), Count: l.Count, Iters: *iters, Ms: s * 1e3, GFLOPs: p.Flops() / s / 1e9, BestMs: best * 1e3, CPUMs: cpuS * 1e3}
			if d, ok := b.(*vulkan.Device); ok {
				line.Kernel, line.KernelSource = d.Plans().ConvKernel(ps.name, p)
			}
			if *asJSON {
				if err := json.NewEncoder(os.Stdout).Encode(line); err != nil {
					return err
				}
			} else {
				fmt.Printf("%-28s %-16s %-46s %5d %9.3f %9.2f %9.3f %9.3f\n", l.Name, ps.name, line.Shape, l.Count, line.Ms, line.GFLOPs, line.BestMs, line.CPUMs)
			}
		}
		for _, t := range []*engine.Tensor{x, wt, y, dx, dw} {
			t.Release()
		}
	}
	sum := map[string]any{"bench": "conv_total", "backend": b.Name(), "device": b.Describe(), "width": *width,
		"image": img.s, "batch": *batch, "seconds": totalS, "gflop_per_s": totalFlops / totalS / 1e9,
		"images_per_s": float64(*batch) / totalS, "best_seconds": totalBest, "cpu_seconds": totalCPU}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(sum)
	}
	fmt.Printf("all convolutions of one forward+backward (each layer x count): %.3f s per batch of %d (best runs: %.3f s; process CPU: %.3f s), %.2f GFLOP/s, %.1f images/s\n",
		totalS, *batch, totalBest, totalCPU, totalFlops/totalS/1e9, float64(*batch)/totalS)
	return nil
}
