package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
	"simclr-vk/simclr/schedule"
	"simclr-vk/simclr/train"
)

type stepResult struct {
	Bench        string  `json:"bench"`
	Backend      string  `json:"backend"`
	Device       string  `json:"device"`
	Arch         string  `json:"arch"`
	Stem         string  `json:"stem"`
	Width        float64 `json:"width"`
	Image        string  `json:"image"`
	Batch        int     `json:"batch"`
	Views        int     `json:"views"`
	MicroBatch   int     `json:"micro_batch,omitempty"` // images per chunk (gradient caching); 0: the whole batch
	Optimizer    string  `json:"optimizer"`
	Precision    string  `json:"precision"` // fp32 or mixed (the emulation)
	Params       int     `json:"params"`
	Steps        int     `json:"steps"`
	Warmup       int     `json:"warmup"`
	GFLOPPerView float64 `json:"forward_gflop_per_view"`
	StepSeconds  float64 `json:"step_s_median"`
	GFLOPs       float64 `json:"gflop_per_s"`
	ImagesPerS   float64 `json:"images_per_s"` // global: Batch per median step
	// World is the number of ranks (mpirun); each steps on Batch/World
	// images. CommMs is the median step's time blocked on communication
	// (Model.CommTime: all-gathers and all-reduces, waiting for the slowest
	// rank included; not the gradient all-reduce hidden behind the
	// backward pass, --overlap).
	World  int     `json:"world"`
	CommMs float64 `json:"comm_ms_median,omitempty"`
	// Baseline is --baseline (images/s of the comparison run, e.g. one
	// rank with all the threads); Efficiency is ImagesPerS / Baseline.
	Baseline   float64 `json:"baseline_images_per_s,omitempty"`
	Efficiency float64 `json:"scaling_efficiency,omitempty"`
	PeakBytes  int64   `json:"peak_bytes"`
	LossFirst  float32 `json:"loss_first"`
	LossLast   float32 `json:"loss_last"`
	// FirstStep is the first step's time, which includes the kernels'
	// autotuning (Vulkan: TuneSeconds of it, all runs of this process).
	FirstStep   float64 `json:"first_step_s"`
	TuneSeconds float64 `json:"tune_s,omitempty"`
	// ConvKernels: the Vulkan convolution kernel of each layer shape and
	// pass, where autotuning decided it.
	ConvKernels []vulkan.ConvChoice `json:"conv_kernels,omitempty"`
	// Host (Vulkan): where the host's time went in one timed step, on
	// average: beside the GPU's kernels, what the step's wall time holds.
	Host *hostPerStep `json:"host_per_step,omitempty"`
}

// hostPerStep is vulkan.HostStats over the timed steps, per step, in ms.
type hostPerStep struct {
	Dispatches  float64 `json:"dispatches"`
	Barriers    float64 `json:"barriers"`
	Submits     float64 `json:"submits"`
	SubmitMs    float64 `json:"submit_ms"`
	WaitMs      float64 `json:"wait_ms"`
	Blocks      float64 `json:"blocks"`
	BlockMiB    float64 `json:"block_mib"`
	BlockMs     float64 `json:"block_ms"`
	Pipelines   float64 `json:"pipelines"`
	PipelineMs  float64 `json:"pipeline_ms"`
	HostZeroMiB float64 `json:"host_zero_mib"`
	HostZeroMs  float64 `json:"host_zero_ms"`
}

func newHostPerStep(h vulkan.HostStats, steps int) *hostPerStep {
	n := float64(steps)
	ms := func(d time.Duration) float64 { return d.Seconds() * 1e3 / n }
	return &hostPerStep{
		Dispatches: float64(h.Dispatches) / n, Barriers: float64(h.Barriers) / n,
		Submits: float64(h.Submits) / n, SubmitMs: ms(h.SubmitTime), WaitMs: ms(h.WaitTime),
		Blocks: float64(h.Blocks) / n, BlockMiB: float64(h.BlockBytes) / (1 << 20) / n, BlockMs: ms(h.BlockTime),
		Pipelines: float64(h.Pipelines) / n, PipelineMs: ms(h.PipelineTime),
		HostZeroMiB: float64(h.HostZeroBytes) / (1 << 20) / n, HostZeroMs: ms(h.HostZeroTime),
	}
}

func runBenchStep(args []string) error {
	comm, err := dist.World()
	if err != nil {
		return err
	}
	return inWorld(comm, func() error { return benchStep(args, comm) })
}

// benchStep is `bench step` on one rank of comm: a data-parallel step on
// the global batch when there are several (global BN), rank 0 reporting.
func benchStep(args []string, comm dist.Comm) error {
	fs := newFlags("bench step")
	bf := addBackendFlags(fs, "auto")
	arch := fs.String("arch", "resnet18", "resnet18, resnet34 or resnet50")
	stem := fs.String("stem", "cifar", "cifar (3x3 conv, no max-pool) or imagenet (7x7/2 conv + max-pool)")
	width := fs.Float64("width", 1, "channel multiplier on every stage (1 = 64 base channels, 0.25 = 16)")
	img := addImageFlag(fs, "32x32x3", "image size HxWxC")
	batch := fs.Int("batch", 256, "images per step B (the step processes 2B views); under mpirun the global batch, B/ranks per rank")
	baseline := fs.Float64("baseline", 0, "images/s of a run to compare with (e.g. 1 rank with all the threads): prints the scaling efficiency")
	micro := fs.String("micro-batch", "0", "images per chunk of the step (gradient caching): 0 (the whole batch), 1..batch, or auto (the largest that fits the memory)")
	optName := fs.String("optimizer", "lars", "lars, sgd or adamw")
	steps := fs.Int("steps", 5, "timed steps (the median is reported)")
	warmup := fs.Int("warmup", 2, "untimed warm-up steps")
	tau := fs.Float32("tau", 0.5, "NT-Xent temperature")
	headOut := fs.Int("head-out", 128, "projection head output dimension")
	asJSON := fs.Bool("json", false, "print one JSON line")
	overlap := fs.String("overlap", "auto", "under mpirun: the gradient all-reduce during the backward pass (on), after it (off), or where the backend allows (auto)")
	precision := fs.String("precision", "fp32", "fp32, mixed (float16 activations and gradients: float16 tensors on Vulkan devices with 16-bit storage, EMULATED in float32 memory on the CPU and elsewhere; a fixed loss scale of 2^10, undone before the optimizer) or auto (fp32 for now)")
	profile := fs.Bool("profile", false, "Vulkan: after the timed steps, time one more step per op with GPU timestamps and print the ops by total time")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile (pprof) of the timed steps to this file: where the host time goes, e.g. on the CPU backend")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, w, c := img.h, img.w, img.c
	mcfg := layers.Config{
		Encoder: layers.ResNetConfig{Arch: *arch, Stem: layers.Stem(*stem), Width: *width, InChannels: c},
		Head:    layers.HeadConfig{Out: *headOut},
		Seed:    1,
	}
	if err := bound.Check(bf.check(),
		bound.Float("width", *width, 0, train.MaxWidth, true),
		bound.Int("batch", int64(*batch), 1, train.MaxCount),
		bound.Int("steps", int64(*steps), 1, maxIters),
		bound.Int("warmup", int64(*warmup), 0, maxIters),
		bound.Float("tau", float64(*tau), train.MinTemperature, train.MaxTemperature, false),
		bound.Int("head-out", int64(*headOut), 1, train.MaxDim),
		bound.Float("baseline", *baseline, 0, 1e12, false)); err != nil {
		return err
	}
	prec, err := train.ResolvePrecision(*precision)
	if err != nil {
		return bound.Errorf("precision", "%q: want fp32, mixed or auto", *precision)
	}
	ov, err := layers.ParseOverlap(*overlap)
	if err != nil {
		return bound.Errorf("overlap", "%v", err)
	}
	world, rank := comm.Size(), comm.Rank()
	if *batch%world != 0 {
		return fmt.Errorf("--batch %d does not split over %d ranks: use a multiple of %d", *batch, world, world)
	}
	n := *batch / world // this rank's images
	per := c * h * w
	// The host holds this rank's 2n views whatever --micro-batch is (the
	// model estimate below counts only the views a chunk holds).
	if err := bound.Memory(4*2*float64(n)*float64(per), 0, fmt.Sprintf("the %d input views of %dx%dx%d on the host", 2*n, h, w, c), "batch", "image"); err != nil {
		return err
	}
	mb, autoMB, err := train.ParseMicroBatch(*micro, *batch)
	if err != nil {
		return bound.Errorf("micro-batch", "%v", err)
	}
	held := n
	if autoMB {
		held = 1
	} else if mb > 0 {
		held = min(mb, n)
	}
	memory := func(limit uint64) error {
		return modelMemory(mcfg, max(h, w), 2*held, limit, "batch", "micro-batch", "image", "width")
	}
	if err := bf.forRank(comm); err != nil {
		return err
	}
	b, err := bf.checkOpen(memory)
	if err != nil {
		return err
	}
	defer closeBackend(b)
	m, err := layers.NewModel(b, mcfg)
	if err != nil {
		return fmt.Errorf("bench step: %w", err)
	}
	defer m.Release()
	const benchLossScale = 1 << 10
	_, note, err := train.ApplyPrecision(m, *precision)
	if err != nil {
		return fmt.Errorf("bench step: %w", err)
	}
	m.SetLossScale(benchLossScale)
	if note != "" && rank == 0 {
		fmt.Fprintln(os.Stderr, note)
	}
	if err := m.SetParallel(layers.Parallel{Comm: comm, GlobalBN: true, Overlap: ov}); err != nil {
		return fmt.Errorf("bench step: %w", err)
	}
	opt, err := optim.New(b, m.Params(), optim.DefaultConfig(optim.Kind(*optName)))
	if err != nil {
		return fmt.Errorf("bench step: %w", err)
	}
	defer opt.Release()
	cfg := train.Config{BatchSize: *batch, MicroBatch: *micro}
	logf := func(f string, a ...any) { fmt.Fprintf(os.Stderr, f, a...) }
	if err := train.SetMicroBatch(m, b, cfg, c, max(h, w), deviceMemory(b), nil, logf); err != nil {
		return fmt.Errorf("bench step: %w", err)
	}

	// This rank's images of the global batch, whose values are the same
	// for any world size: all are drawn in order, only this rank's kept.
	rng := rand.New(rand.NewPCG(1, 2))
	host := make([]float32, 0, 2*n*per)
	for v := 0; v < 2; v++ {
		for i := 0; i < *batch; i++ {
			mine := i/n == rank
			for j := 0; j < per; j++ {
				if x := float32(rng.Float64()); mine {
					host = append(host, x)
				}
			}
		}
	}
	// Unchunked, the views stay on the device (the step alone is timed);
	// with --micro-batch they come from the host a chunk at a time, as in
	// train, so the peak memory is the chunk's.
	var x *engine.Tensor
	if m.MicroBatch() == 0 {
		x = b.New(2*n, c, h, w)
		defer x.Release()
		b.Upload(x, host)
	}
	step := func() (float32, error) {
		if x == nil {
			loss, _, err := m.StepHost(host, [4]int{2 * n, c, h, w}, *tau)
			return loss, err
		}
		loss, _, err := m.Step(x, *tau)
		return loss, err
	}
	lead := rank == 0

	peak, err := schedule.ScaledLR(0.3, schedule.ScalingLinear, *batch)
	if err != nil {
		return err
	}
	lr := float32(peak)
	res := stepResult{Bench: "step", Backend: b.Name(), Device: b.Describe(), Arch: *arch, Stem: *stem,
		Width: *width, Image: img.s, Batch: *batch, Views: 2 * *batch, MicroBatch: m.MicroBatch(), Optimizer: *optName,
		Params: layers.CountParams(m), Steps: *steps, Warmup: *warmup, World: world, Precision: prec.String()}
	var times, comms []float64
	vd, _ := b.(*vulkan.Device)
	var host0 vulkan.HostStats
	stopProfile := func() {}
	for s := 0; s < *warmup+*steps; s++ {
		if s == *warmup && vd != nil {
			host0 = vd.Profiler().HostStats()
		}
		if s == *warmup && *cpuProfile != "" {
			if stopProfile, err = startCPUProfile(*cpuProfile); err != nil {
				return fmt.Errorf("bench step: --cpuprofile: %w", err)
			}
			defer stopProfile()
		}
		t0, c0 := time.Now(), m.CommTime()
		loss, err := step()
		if err != nil {
			return fmt.Errorf("bench step: %w", err)
		}
		if prec == layers.PrecisionMixed {
			m.UnscaleGrads(benchLossScale)
		}
		opt.Step(lr)
		if err := b.Flush(); err != nil {
			return fmt.Errorf("bench step: %w", err)
		}
		dt := time.Since(t0).Seconds()
		cm := (m.CommTime() - c0).Seconds() * 1e3
		if s == 0 {
			res.LossFirst = loss
			res.FirstStep = dt
		}
		res.LossLast = loss
		if s >= *warmup {
			times, comms = append(times, dt), append(comms, cm)
		}
		if !*asJSON && lead {
			fmt.Fprintf(os.Stderr, "step %d: %.3f s, loss %.4f\n", s, dt, loss)
		}
	}
	stopProfile()
	res.StepSeconds = median(times)
	res.ImagesPerS = float64(*batch) / res.StepSeconds
	if world > 1 {
		res.CommMs = median(comms)
	}
	if *baseline > 0 {
		res.Baseline, res.Efficiency = *baseline, res.ImagesPerS / *baseline
	}
	res.GFLOPPerView = m.LastFlops() / float64(2*n) / 1e9
	// forward + backward (data and filter gradients) ~ 3x the forward; a
	// chunked step forwards every chunk twice: 4x.
	passes := 3.0
	if mb := m.MicroBatch(); mb > 0 && mb < n {
		passes = 4
	}
	res.GFLOPs = passes * m.LastFlops() / res.StepSeconds / 1e9
	res.PeakBytes = b.MemStats().Peak
	if vd != nil {
		res.ConvKernels = vd.Plans().Conv()
		res.TuneSeconds = vd.Plans().TuneTime().Seconds()
		res.Host = newHostPerStep(vd.Profiler().HostStats().Sub(host0), *steps)
	}
	if *profile {
		if err := profileStep(b, opt, func() error { _, err := step(); return err }, lr, *asJSON); err != nil {
			return fmt.Errorf("bench step: %w", err)
		}
	}
	if !lead {
		return nil
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		fmt.Println(string(out))
		return nil
	}
	chunks := ""
	if res.MicroBatch > 0 {
		chunks = fmt.Sprintf(" in chunks of %d", res.MicroBatch)
	}
	fmt.Printf("%s %s stem, width %g, %s, batch %d (%d views)%s, %s, %d params on %s (%s)\n",
		res.Arch, res.Stem, res.Width, res.Image, res.Batch, res.Views, chunks, res.Optimizer, res.Params, res.Backend, res.Device)
	fmt.Printf("median step %.3f s over %d steps after %d warm-up: %.1f images/s (images = B per step; each image is 2 views)\n",
		res.StepSeconds, res.Steps, res.Warmup, res.ImagesPerS)
	if world > 1 {
		fmt.Printf("data-parallel: %d ranks x %d images (global BN); communication %.1f ms of the median step (all-gathers and all-reduces, waiting for the slowest rank included); images/s are global\n",
			world, n, res.CommMs)
	}
	if res.Efficiency > 0 {
		fmt.Printf("scaling efficiency %.2fx: %.1f images/s against --baseline %.1f\n", res.Efficiency, res.ImagesPerS, res.Baseline)
	} else if world > 1 {
		fmt.Printf("scaling efficiency: run the same --batch on one rank with all the threads and pass its images/s as --baseline\n")
	}
	fmt.Printf("forward %.4f GFLOP per view (convolutions + linear layers); ~%.1f GFLOP/s counting the step as %gx the forward\n",
		res.GFLOPPerView, res.GFLOPs, passes)
	fmt.Printf("peak device memory %.1f MiB\n", float64(res.PeakBytes)/(1<<20))
	if h := res.Host; h != nil {
		fmt.Printf("host per step: %.0f dispatches, %.0f barriers, %.1f submits (%.2f ms), %.2f ms waiting for the GPU, %.1f new memory blocks (%.0f MiB, %.2f ms), %.1f pipelines built (%.2f ms), %.0f MiB zeroed by the CPU (%.2f ms)\n",
			h.Dispatches, h.Barriers, h.Submits, h.SubmitMs, h.WaitMs, h.Blocks, h.BlockMiB, h.BlockMs, h.Pipelines, h.PipelineMs, h.HostZeroMiB, h.HostZeroMs)
	}
	if res.TuneSeconds > 0 {
		fmt.Printf("first step %.3f s, of which %.3f s timing kernel candidates (autotuning, cached for later runs)\n", res.FirstStep, res.TuneSeconds)
	}
	return nil
}

// profileStep runs one more training step with per-op GPU timestamps and
// prints the ops by total GPU time (a JSON line per op with asJSON).
func profileStep(b engine.Backend, opt *optim.Optimizer, step func() error, lr float32, asJSON bool) error {
	prof, err := profileOps(b, func() error {
		if err := step(); err != nil {
			return err
		}
		opt.Step(lr)
		return nil
	})
	if err != nil {
		return err
	}
	var total time.Duration
	for _, p := range prof {
		total += p.Total
	}
	for _, p := range prof {
		if asJSON {
			out, _ := json.Marshal(map[string]any{"bench": "step_profile", "op": p.Op, "count": p.Count,
				"ms": float64(p.Total.Microseconds()) / 1e3, "share": float64(p.Total) / float64(total)})
			fmt.Println(string(out))
		} else {
			fmt.Printf("  %-36s %5d dispatches %9.3f ms %5.1f%%\n", p.Op, p.Count, float64(p.Total.Microseconds())/1e3, 100*float64(p.Total)/float64(total))
		}
	}
	return nil
}

// profileOps records run with per-op GPU timestamps (Vulkan only) and
// returns the ops by total GPU time, the profile of the caller's earlier
// work cleared.
func profileOps(b engine.Backend, run func() error) ([]vulkan.OpTime, error) {
	d, ok := b.(*vulkan.Device)
	if !ok {
		return nil, fmt.Errorf("--profile needs the Vulkan backend")
	}
	prof := d.Profiler()
	if err := prof.Enable(true); err != nil {
		return nil, err
	}
	defer prof.Enable(false)
	prof.Reset()
	if err := run(); err != nil {
		return nil, err
	}
	if err := d.Flush(); err != nil {
		return nil, err
	}
	return prof.Ops(), nil
}
