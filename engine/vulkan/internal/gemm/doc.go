// Package gemm is the Vulkan op family of the matrix products: Gemm and
// GemmBatched on the kernels of gemm.go (tiled, split-K, subgroup,
// register-blocked, cooperative-matrix), the shape classes and their
// kernel choice (classes.go: forced by Config.Variant, from a table, or
// measured through the tuning service, tune.go), the split-K plan
// (splitk.go), the cooperative-matrix self-check and input maxima
// (coopmat.go) and the float16 operands (gemm16.go: every product with a
// float16 operand runs on regblock's _f16 variants; no other kernel has
// float16 variants, and each refuses float16 operands). Shaders is the
// family's kernel table. The convolution
// family (internal/conv) records its Winograd products with
// Record and Choice and its cooperative-matrix scales with CoopMatMax.
package gemm

import (
	"time"

	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Shaders is the family's kernel table: each shader with its push-constant
// struct (package vulkan's TestPushConstants checks them against the GLSL;
// "name#i" is the i-th push-constant block of name.comp, gemm_tiled's
// split-K block first).
var Shaders = map[string]any{
	"gemm_regblock": pushGemm{}, "gemm_vec4": pushGemm{}, "gemm_subgroup": pushGemm{}, "gemm_tiled#1": pushGemm{},
	"gemm_tiled#0": pushGemmSplitK{}, "gemm_splitk_reduce": pushGemmSplitKReduce{},
}

// Config configures the family at open.
type Config struct {
	// Variant is vulkan.Options.GemmVariant: a kernel family, a kernel
	// name, or "" to pick by device and shape class.
	Variant string
	// CoopMat is the runtime's cooperative-matrix variant ("cm_s32"), ""
	// for float32 kernels.
	CoopMat string
	// Tuner is the device's tuning service, nil when autotuning is off.
	Tuner *tune.Service
	// Timed (tests only) replaces a candidate's measured median in round
	// 1 or 2 of measureClass.
	Timed func(kernel string, round int, med time.Duration) time.Duration
}

// Ops records the family's kernels on one runtime Device and keeps the
// kernel choice of each shape class.
type Ops struct {
	vkrt.Family
	sg8     bool   // 8-wide subgroups with ballot in compute shaders
	forced  string // Config.Variant, "" when not forced
	variant string // the kernel family in use (Variant)
	cm      string // Config.CoopMat, "" once the self-check turned it off
	plan    map[string]ClassChoice
	tuner   *tune.Service
	timed   func(kernel string, round int, med time.Duration) time.Duration
}

// New returns the family's ops on rt, or an error wrapping ErrUnsupported
// when Config.Variant forces a kernel this device cannot run.
func New(rt *vkrt.Device, cfg Config) (*Ops, error) {
	f := rt.Family()
	// Subgroup kernels assume 8 lanes with ballot (subgroupBroadcast) in
	// compute shaders.
	const ballot, computeStage = 0x8, 0x20
	sg8 := f.Info.SubgroupSize == 8 && f.Info.SubgroupOps&ballot != 0 && f.Info.SubgroupStages&computeStage != 0
	return newOps(f, cfg, sg8)
}

// Variant is the GEMM kernel family in use (Config.Variant, or "tiled",
// "subgroup" or "regblock" by device).
func (o *Ops) Variant() string { return o.variant }

// Forced is Config.Variant ("" when the kernels are not forced).
func (o *Ops) Forced() string { return o.forced }

// CoopMatOff makes every product run on the float32 kernels (after a
// failed self-check with CoopMat "auto").
func (o *Ops) CoopMatOff() { o.cm = "" }

// CoopMat is the cooperative-matrix variant the products run on
// (Config.CoopMat), "" for float32 or once CoopMatOff turned it off.
func (o *Ops) CoopMat() string { return o.cm }

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
