package gemm

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"simclr-vk/engine/vulkan/internal/vkrt"
)

// GEMM kernel choice per shape class: forced (Options.GemmVariant), from
// the table (table), or measured on this device on first use of the
// class and cached on disk (Options.Autotune, tune.go, internal/tune).

// Shape classes of a GEMM (Class).
const (
	classSmall  = "small"  // m*n < 256^2
	classMedium = "medium" // m*n < 512^2
	classLarge  = "large"  // m*n < 2048^2
	classHuge   = "huge"   // m*n >= 2048^2
	classSkinny = "skinny" // batches of 16+ with n >= 64*m, m, k <= 512 (Winograd products)
	classSplitK = "splitk" // one product (batch 1), m, n <= 256, k >= 8192
)

// ClassSplitK is the split-K class, which the Winograd filter gradient's
// long reductions use whatever their batch (package vulkan's
// winogradFilterGemm).
const ClassSplitK = classSplitK

// Classes are the shape classes in the order Plans.Gemm (package vulkan) lists them.
var Classes = []string{classSmall, classMedium, classLarge, classHuge, classSkinny, classSplitK}

// classShapes describes each class for people (Plans.Gemm, devices).
var classShapes = map[string]string{
	classSmall:  "m*n < 256^2",
	classMedium: "256^2 <= m*n < 512^2",
	classLarge:  "512^2 <= m*n < 2048^2",
	classHuge:   "m*n >= 2048^2",
	classSkinny: "batch >= 16, n >= 64*m, m,k <= 512",
	classSplitK: "batch 1, m,n <= 256, k >= 8192",
}

// Class returns the shape class of a (batched) product. The large and
// huge classes are tuned apart because a tile that fills the device at
// 4096^2 may leave it half idle at 1024^2; the skinny class (Winograd's
// batched products: few rows, a very long n) apart from both.
func Class(batch, m, n, k int) string {
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

// ClassChoice is the kernel one shape class uses on a device.
type ClassChoice struct {
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

// ErrUnsupported is wrapped by Open's error when Options.GemmVariant
// forces a GEMM kernel this device cannot run (errors.Is).
var ErrUnsupported = errors.New("GEMM kernel not supported by this device")

// newOps validates Config.Variant and sets the default kernel family
// (Variant).
func newOps(f vkrt.Family, cfg Config, sg8 bool) (*Ops, error) {
	o := &Ops{Family: f, sg8: sg8, forced: cfg.Variant, cm: cfg.CoopMat, plan: map[string]ClassChoice{}, tuner: cfg.Tuner, timed: cfg.Timed}
	switch v := cfg.Variant; {
	case v == "":
	case v == "coopmat", v == "coopmat_db":
		if o.cm == "" {
			return nil, fmt.Errorf("engine/vulkan: %w: GemmVariant %s needs cooperative matrices (Options.CoopMat)", ErrUnsupported, v)
		}
		if !slices.Contains(o.coopMatKernels(), v) {
			return nil, fmt.Errorf("engine/vulkan: %w: GemmVariant %s needs %d bytes of shared memory per workgroup; %q has %d",
				ErrUnsupported, v, vkrt.CoopMatShared(o.cm, 128, 16, true), o.Info.Name, o.Limit.MaxComputeSharedMemorySize)
		}
	case slices.Contains(gemmFamilies, v), slices.Contains(gemmKernels, v):
		probe := v
		switch v {
		case "tiled":
			probe = "tiled_32x32"
		case "splitk":
			probe = "splitk_32x32"
		}
		if !o.supported(probe) {
			if v == "subgroup" {
				return nil, fmt.Errorf("engine/vulkan: %w: GemmVariant subgroup needs 8-wide subgroups with ballot; %q has size %d, operations %#x",
					ErrUnsupported, o.Info.Name, o.Info.SubgroupSize, o.Info.SubgroupOps)
			}
			return nil, fmt.Errorf("engine/vulkan: %w: GemmVariant %s does not fit %q (%d invocations, %d bytes of shared memory per workgroup)",
				ErrUnsupported, v, o.Info.Name, o.Limit.MaxComputeWorkGroupInvocations, o.Limit.MaxComputeSharedMemorySize)
		}
	default:
		return nil, fmt.Errorf("engine/vulkan: unknown GemmVariant %q (want %s or one of the kernels %s)",
			v, strings.Join(gemmFamilies, ", "), strings.Join(gemmKernels, ", "))
	}
	o.variant = cfg.Variant
	if o.variant == "" {
		switch k := o.table(classLarge); {
		case strings.HasPrefix(k, "tiled_"):
			o.variant = "tiled"
		default:
			o.variant = k
		}
	}
	return o, nil
}

// gemmTimed passes a measured median through the test hook.
func (o *Ops) gemmTimed(kernel string, round int, med time.Duration) time.Duration {
	if o.timed != nil {
		return o.timed(kernel, round, med)
	}
	return med
}

// supported reports whether this device can run a kernel: the tiled
// kernels need their invocations and shared memory, subgroup 8-wide
// subgroups with ballot; regblock runs everywhere.
func (o *Ops) supported(kernel string) bool {
	kernel = strings.TrimSuffix(kernel, "_v4") // the same tile, vec4 loads
	inv := o.Limit.MaxComputeWorkGroupInvocations
	shared := o.Limit.MaxComputeSharedMemorySize
	wgx := o.Limit.MaxComputeWorkGroupSize[0]
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
		return o.sg8
	case "regblock":
		return true
	}
	return false
}

// candidates are the kernels autotuning times for a class: every kernel
// the device supports, the split-K ones only for the split-K class.
func (o *Ops) candidates(class string) []string {
	var out []string
	for _, k := range gemmKernels {
		if strings.HasPrefix(k, "splitk_") && class != classSplitK {
			continue
		}
		if o.supported(k) {
			out = append(out, k)
		}
	}
	return out
}

// table is the unmeasured choice: on GPUs the tile grows with m*n
// (32x32, 64x64, 128x128) and long reductions with a small C use split-K;
// CPU devices (lavapipe) use the subgroup kernel where they can, else
// regblock, for every class.
func (o *Ops) table(class string) string {
	if o.Info.Type == "cpu" || !o.supported("tiled_32x32") {
		if o.sg8 {
			return "subgroup"
		}
		return "regblock"
	}
	if !o.supported("tiled_64x64") {
		if class == classSplitK {
			return "splitk_32x32"
		}
		return "tiled_32x32"
	}
	return map[string]string{classSmall: "tiled_32x32", classMedium: "tiled_64x64", classLarge: "tiled_128x128",
		classHuge: "tiled_128x128", classSkinny: "tiled_64x64", classSplitK: "splitk_64x64"}[class]
}

// forcedKernel maps Options.GemmVariant to the kernel of a class.
func (o *Ops) forcedKernel(class string) string {
	switch o.forced {
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
	return o.forced
}

// Choice returns the kernel of a class, deciding it on first use.
func (o *Ops) Choice(class string) string {
	if c, ok := o.plan[class]; ok {
		return c.Kernel
	}
	c := ClassChoice{Class: class, Shapes: classShapes[class]}
	switch {
	case o.forced != "":
		c.Kernel, c.Source = o.forcedKernel(class), "forced"
	case o.tuner != nil && o.RT.Err() == nil:
		c = o.tuneClass(class)
	default:
		c.Kernel, c.Source = o.table(class), "table"
	}
	o.plan[class] = c
	return c.Kernel
}

// Plan returns the kernel of every shape class and where it came from,
// deciding (and, with autotuning on, measuring) the classes not used yet.
func (o *Ops) Plan() []ClassChoice {
	out := make([]ClassChoice, 0, len(Classes))
	for _, class := range Classes {
		o.Choice(class)
		out = append(out, o.plan[class])
	}
	return out
}

// Kernels lists every GEMM kernel name (values of Options.GemmVariant
// besides the families tiled, splitk, subgroup and regblock).
func Kernels() []string { return slices.Clone(gemmKernels) }

// ChoiceFor returns the kernel a (batched) product of these sizes uses
// and where it came from, deciding its class first if needed.
func (o *Ops) ChoiceFor(batch, m, n, k int) ClassChoice {
	class := Class(batch, m, n, k)
	if o.cm != "" {
		return ClassChoice{Class: class, Shapes: classShapes[class], Kernel: o.coopMatKernel() + "_" + o.cm, Source: "cooperative matrices (CoopMat)"}
	}
	o.Choice(class)
	return o.plan[class]
}

// probe builds the pipelines of a GEMM kernel (no transposes), so that
// a kernel this driver cannot compile is skipped by the tuner instead of
// becoming the Device's sticky error.
func (o *Ops) probe(kernel string, m, n, k int) error {
	if strings.HasPrefix(kernel, "splitk_") {
		shader := "gemm_tiled_" + strings.TrimPrefix(kernel, "splitk_") + "_splitk"
		if err := o.RT.Pipeline(shader, []uint32{0, 0}, 3); err != nil {
			return err
		}
		err := o.RT.Pipeline("gemm_splitk_reduce", nil, 2)
		return err
	}
	shader, spec, _, _ := o.kernel(kernel, false, false, m, n, k)
	err := o.RT.Pipeline(shader, spec, 3)
	return err
}
