package vulkan

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// GEMM kernel choice per shape class: forced (Options.GemmVariant), from
// the table (gemmTable), or measured on this device on first use of the
// class and cached on disk (Options.Autotune, autotune_cache.go).

// Shape classes of a GEMM (gemmClass).
const (
	classSmall  = "small"  // m*n < 256^2
	classMedium = "medium" // m*n < 512^2
	classLarge  = "large"  // m*n < 2048^2
	classHuge   = "huge"   // m*n >= 2048^2
	classSkinny = "skinny" // batches of 16+ with n >= 64*m, m, k <= 512 (Winograd products)
	classSplitK = "splitk" // one product (batch 1), m, n <= 256, k >= 8192
)

// GemmClasses are the shape classes in the order GemmPlan lists them.
var GemmClasses = []string{classSmall, classMedium, classLarge, classHuge, classSkinny, classSplitK}

// gemmClassShapes describes each class for people (GemmPlan, devices).
var gemmClassShapes = map[string]string{
	classSmall:  "m*n < 256^2",
	classMedium: "256^2 <= m*n < 512^2",
	classLarge:  "512^2 <= m*n < 2048^2",
	classHuge:   "m*n >= 2048^2",
	classSkinny: "batch >= 16, n >= 64*m, m,k <= 512",
	classSplitK: "batch 1, m,n <= 256, k >= 8192",
}

// gemmClass returns the shape class of a (batched) product. The large and
// huge classes are tuned apart because a tile that fills the device at
// 4096^2 may leave it half idle at 1024^2; the skinny class (Winograd's
// batched products: few rows, a very long n) apart from both.
func gemmClass(batch, m, n, k int) string {
	switch {
	case batch == 1 && m <= 256 && n <= 256 && k >= 8192:
		return classSplitK
	case batch >= 16 && n >= 64*m && m <= 512 && k <= 512:
		return classSkinny
	case m*n < 256*256:
		return classSmall
	case m*n < 512*512:
		return classMedium
	case m*n < 2048*2048:
		return classLarge
	}
	return classHuge
}

// gemmKernels are all kernel names, in the order candidates are tried.
var gemmKernels = []string{"tiled_128x128", "tiled_64x64", "tiled_32x32", "tiled_128x128_db", "tiled_64x64_db", "tiled_128x128_k16",
	"tiled_64x128", "tiled_128x64", "tiled_128x128_v4", "tiled_64x64_v4", "tiled_128x128_db_v4", "tiled_128x128_k16_v4",
	"tiled_64x128_v4", "tiled_128x64_v4", "splitk_64x64", "splitk_32x32", "subgroup", "regblock"}

// gemmFamilies are the values of Options.GemmVariant besides kernel names.
var gemmFamilies = []string{"tiled", "splitk", "subgroup", "regblock"}

// GemmClassChoice is the kernel one shape class uses on a device.
type GemmClassChoice struct {
	Class  string `json:"class"`
	Shapes string `json:"shapes"`
	Kernel string `json:"kernel"`
	// Source: "forced" (Options.GemmVariant), "table" (autotuning off),
	// "cache" (measured earlier, read from the tuning cache) or "measured"
	// (timed now and written to the cache).
	Source string `json:"source"`
	// Problem is the m, n, k timed for the class (16 such products for
	// the skinny class); GFLOPs the median rate of each candidate (cache
	// and measured only).
	Problem [3]int             `json:"problem_mnk,omitempty"`
	GFLOPs  map[string]float64 `json:"gflop_per_s,omitempty"`
	Timing  string             `json:"timing,omitempty"`
	Note    string             `json:"note,omitempty"` // why tuning fell back to the table
	// Rejected are the candidates whose product disagreed with the table
	// kernel's (agree.go), with how; never chosen.
	Rejected map[string]string `json:"rejected,omitempty"`
}

// ErrGemmUnsupported is wrapped by Open's error when Options.GemmVariant
// forces a GEMM kernel this device cannot run (errors.Is).
var ErrGemmUnsupported = errors.New("GEMM kernel not supported by this device")

// gemmState is the per-device GEMM selection state.
type gemmState struct {
	sg8    bool   // 8-wide subgroups with ballot in compute shaders
	forced string // Options.GemmVariant, "" when not forced
	plan   map[string]GemmClassChoice
	conv   map[string]convChoice // convolution problems decided by autotuning (conv_autotune.go)
	tuner  *tune.Service         // nil: autotuning off
	// timed (tests only) replaces a GEMM candidate's measured median in
	// round 1 or 2 of measureClass.
	timed func(kernel string, round int, med time.Duration) time.Duration
}

// gemmTimed passes a measured median through the test hook.
func (d *Device) gemmTimed(kernel string, round int, med time.Duration) time.Duration {
	if d.tune.timed != nil {
		return d.tune.timed(kernel, round, med)
	}
	return med
}

// initGemm validates Options.GemmVariant and Options.Autotune and sets the
// default kernel family (GemmVariant).
func (d *Device) initGemm(opts Options, sg8 bool) error {
	d.tune = gemmState{sg8: sg8, forced: opts.GemmVariant, plan: map[string]GemmClassChoice{}, conv: map[string]convChoice{}}
	switch v := opts.GemmVariant; {
	case v == "":
	case v == "coopmat", v == "coopmat_db":
		if d.cm == "" {
			return fmt.Errorf("engine/vulkan: %w: GemmVariant %s needs cooperative matrices (Options.CoopMat)", ErrGemmUnsupported, v)
		}
		if !slices.Contains(d.coopMatGemmKernels(), v) {
			return fmt.Errorf("engine/vulkan: %w: GemmVariant %s needs %d bytes of shared memory per workgroup; %q has %d",
				ErrGemmUnsupported, v, vkrt.CoopMatShared(d.cm, 128, 16, true), d.info.Name, d.limit.MaxComputeSharedMemorySize)
		}
	case slices.Contains(gemmFamilies, v), slices.Contains(gemmKernels, v):
		probe := v
		switch v {
		case "tiled":
			probe = "tiled_32x32"
		case "splitk":
			probe = "splitk_32x32"
		}
		if !d.gemmSupported(probe) {
			if v == "subgroup" {
				return fmt.Errorf("engine/vulkan: %w: GemmVariant subgroup needs 8-wide subgroups with ballot; %q has size %d, operations %#x",
					ErrGemmUnsupported, d.info.Name, d.info.SubgroupSize, d.info.SubgroupOps)
			}
			return fmt.Errorf("engine/vulkan: %w: GemmVariant %s does not fit %q (%d invocations, %d bytes of shared memory per workgroup)",
				ErrGemmUnsupported, v, d.info.Name, d.limit.MaxComputeWorkGroupInvocations, d.limit.MaxComputeSharedMemorySize)
		}
	default:
		return fmt.Errorf("engine/vulkan: unknown GemmVariant %q (want %s or one of the kernels %s)",
			v, strings.Join(gemmFamilies, ", "), strings.Join(gemmKernels, ", "))
	}
	if k := opts.NTXentKernel; k != "" && !slices.Contains(NTXentKernels, k) {
		return fmt.Errorf("engine/vulkan: unknown NTXentKernel %q (want one of %s)", k, strings.Join(NTXentKernels, ", "))
	}
	d.ntxentKernel = opts.NTXentKernel
	d.gemmVariant = opts.GemmVariant
	if d.gemmVariant == "" {
		switch k := d.gemmTable(classLarge); {
		case strings.HasPrefix(k, "tiled_"):
			d.gemmVariant = "tiled"
		default:
			d.gemmVariant = k
		}
	}
	mode := opts.Autotune
	if env := os.Getenv("SIMCLR_VK_AUTOTUNE"); env != "" {
		mode = env
	}
	switch mode {
	case "", "off":
	case "auto", "on", "refresh":
		if mode == "on" {
			mode = "auto"
		}
		path := opts.TuneCache
		if path == "" {
			path = os.Getenv("SIMCLR_VK_TUNE_CACHE")
		}
		if path == "" {
			path = tune.DefaultCachePath()
		}
		d.tune.tuner = &tune.Service{Mode: mode, Path: path}
	default:
		return fmt.Errorf("engine/vulkan: Autotune %q (Options.Autotune or SIMCLR_VK_AUTOTUNE): want off, auto (on) or refresh", mode)
	}
	return nil
}

// gemmSupported reports whether this device can run a kernel: the tiled
// kernels need their invocations and shared memory, subgroup 8-wide
// subgroups with ballot; regblock runs everywhere.
func (d *Device) gemmSupported(kernel string) bool {
	kernel = strings.TrimSuffix(kernel, "_v4") // the same tile, vec4 loads
	inv := d.limit.MaxComputeWorkGroupInvocations
	shared := d.limit.MaxComputeSharedMemorySize
	wgx := d.limit.MaxComputeWorkGroupSize[0]
	switch kernel {
	// Shared memory: (BM+BN+8)*BK floats per buffer (gemm_tiled.comp).
	case "tiled_128x128", "tiled_64x64", "splitk_64x64":
		return inv >= 256 && wgx >= 256 && shared >= 8704
	case "tiled_128x128_db", "tiled_64x64_db", "tiled_128x128_k16":
		return inv >= 256 && wgx >= 256 && shared >= 2*8704
	case "tiled_64x128", "tiled_128x64":
		return inv >= 256 && wgx >= 256 && shared >= 12800
	case "tiled_32x32", "splitk_32x32":
		return inv >= 64 && wgx >= 64 && shared >= 4608
	case "subgroup":
		return d.tune.sg8
	case "regblock":
		return true
	}
	return false
}

// gemmCandidates are the kernels autotuning times for a class: every kernel
// the device supports, the split-K ones only for the split-K class.
func (d *Device) gemmCandidates(class string) []string {
	var out []string
	for _, k := range gemmKernels {
		if strings.HasPrefix(k, "splitk_") && class != classSplitK {
			continue
		}
		if d.gemmSupported(k) {
			out = append(out, k)
		}
	}
	return out
}

// gemmTable is the unmeasured choice: on GPUs the tile grows with m*n
// (32x32, 64x64, 128x128) and long reductions with a small C use split-K;
// CPU devices (lavapipe) use the subgroup kernel where they can, else
// regblock, for every class.
func (d *Device) gemmTable(class string) string {
	if d.info.Type == "cpu" || !d.gemmSupported("tiled_32x32") {
		if d.tune.sg8 {
			return "subgroup"
		}
		return "regblock"
	}
	if !d.gemmSupported("tiled_64x64") {
		if class == classSplitK {
			return "splitk_32x32"
		}
		return "tiled_32x32"
	}
	return map[string]string{classSmall: "tiled_32x32", classMedium: "tiled_64x64", classLarge: "tiled_128x128",
		classHuge: "tiled_128x128", classSkinny: "tiled_64x64", classSplitK: "splitk_64x64"}[class]
}

// gemmForcedKernel maps Options.GemmVariant to the kernel of a class.
func (d *Device) gemmForcedKernel(class string) string {
	switch d.tune.forced {
	case "tiled":
		switch class {
		case classSmall:
			return "tiled_32x32"
		case classLarge, classHuge:
			return "tiled_128x128"
		}
		return "tiled_64x64"
	case "splitk":
		if class == classSmall {
			return "splitk_32x32"
		}
		return "splitk_64x64"
	}
	return d.tune.forced
}

// gemmChoice returns the kernel of a class, deciding it on first use.
func (d *Device) gemmChoice(class string) string {
	if c, ok := d.tune.plan[class]; ok {
		return c.Kernel
	}
	c := GemmClassChoice{Class: class, Shapes: gemmClassShapes[class]}
	switch {
	case d.tune.forced != "":
		c.Kernel, c.Source = d.gemmForcedKernel(class), "forced"
	case d.tune.tuner != nil && d.Err() == nil:
		c = d.tuneClass(class)
	default:
		c.Kernel, c.Source = d.gemmTable(class), "table"
	}
	d.tune.plan[class] = c
	return c.Kernel
}

// GemmPlan returns the kernel of every shape class and where it came from,
// deciding (and, with autotuning on, measuring) the classes not used yet.
func (d *Device) GemmPlan() []GemmClassChoice {
	out := make([]GemmClassChoice, 0, len(GemmClasses))
	for _, class := range GemmClasses {
		d.gemmChoice(class)
		out = append(out, d.tune.plan[class])
	}
	return out
}

// GemmKernels lists every GEMM kernel name (values of Options.GemmVariant
// besides the families tiled, splitk, subgroup and regblock).
func GemmKernels() []string { return slices.Clone(gemmKernels) }

// GemmChoiceFor returns the kernel a (batched) product of these sizes uses
// and where it came from, deciding its class first if needed.
func (d *Device) GemmChoiceFor(batch, m, n, k int) GemmClassChoice {
	class := gemmClass(batch, m, n, k)
	if d.cm != "" {
		return GemmClassChoice{Class: class, Shapes: gemmClassShapes[class], Kernel: d.coopMatGemmKernel() + "_" + d.cm, Source: "cooperative matrices (CoopMat)"}
	}
	d.gemmChoice(class)
	return d.tune.plan[class]
}

// probeGemm builds the pipelines of a GEMM kernel (no transposes), so that
// a kernel this driver cannot compile is skipped by the tuner instead of
// becoming the Device's sticky error.
func (d *Device) probeGemm(kernel string, m, n, k int) error {
	if strings.HasPrefix(kernel, "splitk_") {
		shader := "gemm_tiled_" + strings.TrimPrefix(kernel, "splitk_") + "_splitk"
		if err := d.rt.Pipeline(shader, []uint32{0, 0}, 3); err != nil {
			return err
		}
		err := d.rt.Pipeline("gemm_splitk_reduce", nil, 2)
		return err
	}
	shader, spec, _, _ := d.gemmKernel(kernel, false, false, m, n, k)
	err := d.rt.Pipeline(shader, spec, 3)
	return err
}
