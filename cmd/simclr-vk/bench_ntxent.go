package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/internal/bound"
	"simclr-vk/simclr/train"
)

// ntxentBenchLine is one JSON line of `bench ntxent --json`.
type ntxentBenchLine struct {
	Bench      string  `json:"bench"`
	Backend    string  `json:"backend"`
	Device     string  `json:"device"`
	Impl       string  `json:"impl"`             // fused, fused_<family>, unfused (Vulkan) or reference (CPU)
	Kernel     string  `json:"kernel,omitempty"` // Vulkan fused: the kernel family (gemm, tiled, regblock)
	Rows       int     `json:"n"`                // 2N
	Dim        int     `json:"dim"`
	Tau        float32 `json:"tau"`
	Iters      int     `json:"iters"`
	Ms         float64 `json:"ms"`          // median of iters
	GFLOPs     float64 `json:"gflop_per_s"` // cpu.NTXentFLOPs(n, dim, true) / time
	ExtraBytes int64   `json:"extra_bytes"` // memory beyond z, dz and out (see extraNote)
	ExtraNote  string  `json:"extra_note"`
	Loss       float32 `json:"loss"`
	Top1       float32 `json:"top1"`
}

// ntxentImpl is one implementation under test; all take the
// NTXentForwardBackward arguments.
type ntxentImpl struct {
	name, kernel string
	run          func(dz, out, z *engine.Tensor, tau float32)
}

func runBenchNTXent(args []string) error {
	fs := newFlags("bench ntxent")
	bf := addBackendFlags(fs, "auto")
	rows := fs.Int("n", 1024, "rows of z: 2N views (N images)")
	dim := fs.Int("dim", 128, "projection dimension d")
	tau := fs.Float32("tau", 0.5, "temperature")
	iters := fs.Int("iters", 5, "timed runs per implementation (after one warm-up run); the median is reported")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	profile := fs.Bool("profile", false, "Vulkan: after the timed runs, time one more run of each implementation per kernel with GPU timestamps")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rows%2 != 0 {
		return bound.Errorf("n", "%d: want an even number of rows (2N views)", *rows)
	}
	// z, dz and the reference's full 2N x 2N similarity matrix.
	memory := func(limit uint64) error {
		return bound.Memory(4*(3*float64(*rows)*float64(*dim)+float64(*rows)*float64(*rows)), limit,
			fmt.Sprintf("NT-Xent of %d rows of dimension %d", *rows, *dim), "n", "dim")
	}
	b, err := bf.checkOpen(memory,
		bound.Int("n", int64(*rows), 2, maxBatch),
		bound.Int("dim", int64(*dim), 1, train.MaxDim),
		bound.Int("iters", int64(*iters), 1, maxIters),
		bound.Float("tau", float64(*tau), train.MinTemperature, train.MaxTemperature, false))
	if err != nil {
		return err
	}
	defer closeBackend(b)

	impls := []ntxentImpl{{name: "fused", run: b.NTXentForwardBackward}}
	if vd, ok := b.(*vulkan.Device); ok {
		// The fused NT-Xent has several kernel families: the device's
		// choice first, then every other family that applies at this shape
		// (a forced family that does not apply falls back to another:
		// skipped), run forced through the lab.
		plans, lab := vd.Plans(), vd.Lab()
		auto := plans.NTXentKernel("", *rows, *dim)
		impls[0].kernel = auto
		for _, k := range vulkan.NTXentKernels {
			if k != auto && plans.NTXentKernel(k, *rows, *dim) == k {
				impls = append(impls, ntxentImpl{name: "fused_" + k, kernel: k, run: func(dz, out, z *engine.Tensor, tau float32) {
					lab.NTXentForwardBackwardKernel(k, dz, out, z, tau)
				}})
			}
		}
	}
	switch x := b.(type) {
	case interface{ Lab() vulkan.Lab }: // the benchmark-only kernels (vulkan.Lab)
		impls = append(impls, ntxentImpl{name: "unfused", run: x.Lab().NTXentUnfused})
	case interface {
		NTXentReference(dz, out, z *engine.Tensor, tau float32)
	}:
		impls = append(impls, ntxentImpl{name: "reference", run: x.NTXentReference})
	default:
		return fmt.Errorf("backend %s has no baseline NT-Xent implementation to compare with", b.Name())
	}

	// Unit rows, views i and i+N correlated.
	n, d := *rows, *dim
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*d)
	for i := 0; i < n/2; i++ {
		for j := 0; j < d; j++ {
			v := rng.NormFloat64()
			x[i*d+j] = float32(v)
			x[(i+n/2)*d+j] = float32(v + 1.5*rng.NormFloat64())
		}
	}
	zh, norm := make([]float32, n*d), make([]float32, n)
	cpu.L2NormalizeForward(zh, norm, x, n, d)
	z, dz, out := b.New(n, d), b.New(n, d), b.New(2)
	defer z.Release()
	defer dz.Release()
	defer out.Release()
	b.Upload(z, zh)
	if err := b.Flush(); err != nil {
		return err
	}

	if !*asJSON {
		fmt.Printf("%s\nNT-Xent forward+backward, 2N = %d, d = %d, tau = %g, median of %d runs\n", b.Describe(), n, d, *tau, *iters)
		fmt.Printf("%-16s %10s %10s %14s %10s %8s\n", "impl", "ms", "GFLOP/s", "extra MiB", "loss", "top1")
	}
	flops := cpu.NTXentFLOPs(n, d, true)
	var losses []float32
	for _, im := range impls {
		im.run(dz, out, z, *tau) // warm-up: pipelines, OpenBLAS threads
		if err := b.Flush(); err != nil {
			return fmt.Errorf("%s: %w", im.name, err)
		}
		extra, note, err := ntxentExtraMemory(b, func() { im.run(dz, out, z, *tau) })
		if err != nil {
			return fmt.Errorf("%s: %w", im.name, err)
		}
		times, _, err := timeRuns(b, *iters, func() { im.run(dz, out, z, *tau) })
		if err != nil {
			return fmt.Errorf("%s: %w", im.name, err)
		}
		res := make([]float32, 2)
		if err := b.Download(out, res); err != nil {
			return fmt.Errorf("%s: %w", im.name, err)
		}
		losses = append(losses, res[0])
		s := median(times)
		line := ntxentBenchLine{Bench: "ntxent", Backend: b.Name(), Device: b.Describe(), Impl: im.name, Kernel: im.kernel, Rows: n, Dim: d,
			Tau: *tau, Iters: *iters, Ms: s * 1e3, GFLOPs: flops / s / 1e9, ExtraBytes: extra, ExtraNote: note, Loss: res[0], Top1: res[1]}
		if *asJSON {
			if err := json.NewEncoder(os.Stdout).Encode(line); err != nil {
				return err
			}
		} else {
			label := im.name
			if im.name == "fused" && im.kernel != "" {
				label += " (" + im.kernel + ")"
			}
			fmt.Printf("%-16s %10.3f %10.2f %14.3f %10.6f %8.4f\n", label, line.Ms, line.GFLOPs, float64(extra)/(1<<20), res[0], res[1])
		}
		if *profile {
			// A device without compute timestamps: say so, and go on
			// timing the other implementations (the baseline is last).
			if err := profileNTXent(b, im, dz, out, z, *tau, *asJSON); err != nil {
				fmt.Fprintf(os.Stderr, "bench ntxent: no per-kernel profile: %v\n", err)
				*profile = false
			}
		}
	}
	// Every implementation's loss against the baseline (the last one).
	base := losses[len(losses)-1]
	for i, l := range losses[:len(losses)-1] {
		if math.Abs(float64(l-base)) > 1e-4*math.Max(1, math.Abs(float64(base))) {
			return fmt.Errorf("%s loss %v and %s loss %v disagree", impls[i].name, l, impls[len(impls)-1].name, base)
		}
	}
	if !*asJSON {
		fmt.Printf("GFLOP/s count %.3g flop per call (6 * 2N^2 * d) for every implementation\n", flops)
	}
	return nil
}

// ntxentExtraMemory runs fn once and returns the memory it needed beyond
// its inputs and outputs: the backend's MemStats peak above the memory in
// use before (device memory on Vulkan), or on the CPU backend, whose work
// buffers are Go slices, the bytes the Go heap allocated during the call
// (an upper bound of the peak).
func ntxentExtraMemory(b engine.Backend, fn func()) (int64, string, error) {
	if b.Name() == "cpu" {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		fn()
		runtime.ReadMemStats(&m1)
		return int64(m1.TotalAlloc - m0.TotalAlloc), "Go heap bytes allocated during the call", b.Flush()
	}
	if err := b.Flush(); err != nil {
		return 0, "", err
	}
	before := b.MemStats().InUse
	b.ResetPeak()
	fn()
	if err := b.Flush(); err != nil {
		return 0, "", err
	}
	return b.MemStats().Peak - before, "backend MemStats peak above the memory in use before the call", nil
}

// profileNTXent runs im once more with per-kernel GPU timestamps and prints
// the kernels by total GPU time (a JSON line each with asJSON).
func profileNTXent(b engine.Backend, im ntxentImpl, dz, out, z *engine.Tensor, tau float32, asJSON bool) error {
	prof, err := profileOps(b, func() error {
		im.run(dz, out, z, tau)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", im.name, err)
	}
	for _, p := range prof {
		ms := float64(p.Total.Microseconds()) / 1e3
		if asJSON {
			line, _ := json.Marshal(map[string]any{"bench": "ntxent_profile", "impl": im.name, "op": p.Op, "count": p.Count, "ms": ms})
			fmt.Println(string(line))
		} else {
			fmt.Printf("  %-16s %-36s %5d dispatches %9.3f ms\n", im.name, p.Op, p.Count, ms)
		}
	}
	return nil
}
