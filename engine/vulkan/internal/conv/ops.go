package conv

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Shaders is the family's kernel table: each shader with its push-constant
// struct (package vulkan's TestPushConstants checks them against the GLSL;
// the tiled and Winograd shaders are built as several .spv variants).
var Shaders = map[string]any{
	"conv2d_forward": pushConv{}, "conv2d_forward_tiled": pushConv{},
	"conv2d_backward_data": pushConv{}, "conv2d_backward_data_tiled": pushConv{},
	"conv2d_backward_filter": pushConv{}, "conv2d_backward_filter_tiled": pushConv{},
	"conv2d_forward_f16": pushConv{}, "conv2d_backward_data_f16": pushConv{}, "conv2d_backward_filter_f16": pushConv{},
	"winograd_filter_transform": pushWinogradFilter{}, "winograd_filter_grad_transform": pushWinogradFilter{},
	"winograd_input_transform":  pushWinogradInput{},
	"winograd_output_transform": pushWinogradOutput{}, "winograd_grad_transform": pushWinogradOutput{},
}

// Config configures the family at open.
type Config struct {
	// Variant forces the kernel (vulkan.Options.ConvVariant): "regblock",
	// "tiled", a tiled variant by name, "winograd" / "winograd_f2x3" /
	// "winograd_f4x3"; "" picks by device or by autotuning.
	Variant string
	// TuneOnCPU lets the tuner time the candidates on CPU devices
	// (vulkan.Options.TuneConvOnCPU).
	TuneOnCPU bool
	// CoopMat is the cooperative-matrix variant the device runs its matrix
	// products with ("cm_s32", ...), "" for float32 kernels (decided after
	// the GEMM family's self-check).
	CoopMat string
	// NoCoopMat16, when not "", says why float16 activations do not run the
	// float16 cooperative-matrix tiles although CoopMat is set (a failed
	// SelfCheck16): they run the float32-tile _f16 kernels, as without
	// CoopMat, and their problems are tuned and cached under keys without
	// the variant.
	NoCoopMat16 string
	// SelfCheck16Input, tests only (nil elsewhere), alters the float16
	// activations SelfCheck16 uploads but not those of its reference, as a
	// device that reads some of them wrongly (flushes subnormals) would
	// see them.
	SelfCheck16Input func(x []float32)
	// Tuner is the tuning service shared with the GEMM family, nil when
	// autotuning is off.
	Tuner *tune.Service
	// Gemm is the GEMM family: Winograd's batched products, their class
	// choices and the cooperative-matrix input maxima.
	Gemm *gemm.Ops
	// Elt is the eltwise family: the filter gradient's partial sums
	// (SumCols) and the tuner's reference copies (Copy).
	Elt *eltwise.Ops
}

// Ops records the convolution kernels on one runtime Device and holds the
// problems decided by autotuning.
type Ops struct {
	vkrt.Family
	cfg     Config
	choices map[string]choice // convolution problems decided by autotuning (autotune.go)
}

// New returns the family's ops on rt.
func New(rt *vkrt.Device, cfg Config) *Ops {
	return &Ops{Family: rt.Family(), cfg: cfg, choices: map[string]choice{}}
}

type (
	kernel = vkrt.Kernel
	arg    = vkrt.Arg
)

func in(t *engine.Tensor) arg  { return vkrt.In(t) }
func out(t *engine.Tensor) arg { return vkrt.Out(t) }

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
