package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"simclr-vk/engine/vulkan"
	"simclr-vk/internal/bound"
)

// gemmBenchLine is the JSON line of `bench gemm --json`.
type gemmBenchLine struct {
	Bench   string `json:"bench"`
	Backend string `json:"backend"`
	Device  string `json:"device"`
	Kernel  string `json:"kernel,omitempty"`
	// KernelSource says where the kernel came from: forced, table, cache
	// or measured, and the shape class.
	KernelSource string    `json:"kernel_source,omitempty"`
	M            int       `json:"m"`
	N            int       `json:"n"`
	K            int       `json:"k"`
	Trans        string    `json:"trans"`
	Repeat       int       `json:"repeat"`
	Runs         int       `json:"runs"`
	Timing       string    `json:"timing"`
	Ms           float64   `json:"ms_per_gemm"` // median
	GFLOPs       float64   `json:"gflop_per_s"` // at the median
	AllMs        []float64 `json:"all_ms_per_gemm"`
	// CPUMs is the process CPU time per GEMM (median): on a shared
	// machine CPU devices (lavapipe, the CPU backend) are better compared
	// by it than by wall time.
	CPUMs float64 `json:"cpu_ms_per_gemm"`
}

func parseSize(s string) (m, n, k int, err error) {
	parts := strings.Split(s, ",")
	if len(parts) == 1 {
		parts = []string{parts[0], parts[0], parts[0]}
	}
	if len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("--size %q: want M,N,K or one number for a square product", s)
	}
	v := make([]int, 3)
	for i, p := range parts {
		if v[i], err = strconv.Atoi(strings.TrimSpace(p)); err != nil || v[i] <= 0 || v[i] > maxGemmDim {
			return 0, 0, 0, fmt.Errorf("--size %q: %q is not an integer in [1, %d]", s, p, maxGemmDim)
		}
	}
	return v[0], v[1], v[2], nil
}

func runBenchGemm(args []string) error {
	fs := newFlags("bench gemm")
	bf := addBackendFlags(fs, "cpu")
	size := fs.String("size", "1024,1024,1024", "M,N,K (or one number: square)")
	trans := fs.String("trans", "NN", "transposes of A and B: NN, TN, NT or TT")
	repeat := fs.Int("repeat", 0, "GEMMs per timed batch (0: enough for about 0.2 s)")
	runs := fs.Int("runs", 5, "timed batches; the median is reported")
	variant := fs.String("kernel", "", "Vulkan GEMM kernel: tiled, splitk, subgroup, regblock or a kernel name ("+strings.Join(vulkan.GemmKernels(), ", ")+"), or with --coopmat on coopmat or coopmat_db; default: by shape class (--autotune)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, n, k, err := parseSize(*size)
	if err != nil {
		return err
	}
	if len(*trans) != 2 || strings.Trim(strings.ToUpper(*trans), "NT") != "" {
		return fmt.Errorf("--trans %q: want NN, TN, NT or TT", *trans)
	}
	ta, tb := strings.ToUpper(*trans)[0] == 'T', strings.ToUpper(*trans)[1] == 'T'
	memory := func(limit uint64) error {
		return bound.Memory(4*(float64(m)*float64(k)+float64(k)*float64(n)+float64(m)*float64(n)), limit,
			fmt.Sprintf("A, B and C of a %dx%dx%d product", m, n, k), "size")
	}
	var needsVulkan error
	if *variant != "" && *bf.backend != "vulkan" {
		needsVulkan = fmt.Errorf("--kernel needs --backend vulkan")
	}
	bf.gemmVariant = *variant
	b, err := bf.checkOpen(memory,
		bound.Int("repeat", int64(*repeat), 0, maxIters),
		bound.Int("runs", int64(*runs), 1, maxIters),
		needsVulkan)
	if err != nil {
		return err
	}
	defer closeBackend(b)
	kernel, kernelSource := "", ""
	if d, ok := b.(*vulkan.Device); ok {
		c := d.Plans().GemmFor(1, m, n, k)
		kernel, kernelSource = c.Kernel, c.Source+" ("+c.Class+" class: "+c.Shapes+")"
	}

	rng := rand.New(rand.NewPCG(3, 4))
	a, bb, c := b.New(m*k), b.New(k*n), b.New(m*n)
	defer a.Release()
	defer bb.Release()
	defer c.Release()
	b.Upload(a, uniform(rng, m*k))
	b.Upload(bb, uniform(rng, k*n))
	flops := 2 * float64(m) * float64(n) * float64(k)
	var cpuUsed time.Duration
	batch := func(r int) (time.Duration, error) {
		if err := b.Flush(); err != nil {
			return 0, err
		}
		c0 := cpuTime()
		t0 := time.Now()
		for i := 0; i < r; i++ {
			b.Gemm(ta, tb, m, n, k, 1, a, bb, 0, c)
		}
		err := b.Flush()
		cpuUsed = cpuTime() - c0
		return time.Since(t0), err
	}
	// Warm-up (pipeline creation, caches), which also sizes the batch.
	dt, err := batch(1)
	if err != nil {
		return err
	}
	r := *repeat
	if r == 0 {
		r = max(1, min(1000, int(0.2/max(dt.Seconds(), 1e-6))))
	}
	// Then half a second of batches before timing: the first batches after
	// autotuning were seen to run far below the steady rate, and the median
	// reported them (docs/performance.md, P11). The batch is resized from
	// the last warm one.
	for warm, i := time.Duration(0), 0; warm < 500*time.Millisecond || i < 2; i++ {
		dt, err := batch(r)
		if err != nil {
			return err
		}
		warm += dt
		if *repeat == 0 {
			r = max(1, min(1000, int(0.2/max(dt.Seconds()/float64(r), 1e-6))))
		}
	}
	ms := make([]float64, *runs)
	cpuMs := make([]float64, *runs)
	for i := range ms {
		dt, err := batch(r)
		if err != nil {
			return err
		}
		ms[i] = dt.Seconds() * 1e3 / float64(r)
		cpuMs[i] = cpuUsed.Seconds() * 1e3 / float64(r)
	}
	med, medCPU := median(ms), median(cpuMs)
	line := gemmBenchLine{
		Bench: "gemm", Backend: b.Name(), Device: b.Describe(), Kernel: kernel, KernelSource: kernelSource,
		M: m, N: n, K: k, Trans: strings.ToUpper(*trans), Repeat: r, Runs: *runs,
		Timing: "wall clock from Flush to Flush around a batch of recorded GEMMs",
		Ms:     med, GFLOPs: flops / (med * 1e-3) / 1e9, AllMs: ms, CPUMs: medCPU,
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(line)
	}
	fmt.Printf("%s\n", line.Device)
	if kernel != "" {
		fmt.Printf("kernel %s from %s\n", kernel, kernelSource)
	}
	fmt.Printf("GEMM %s m=%d n=%d k=%d: %.3f ms per GEMM, %.1f GFLOP/s (median of %d batches of %d; %s); process CPU time %.3f ms per GEMM\n",
		line.Trans, m, n, k, med, line.GFLOPs, *runs, r, line.Timing, medCPU)
	return nil
}
