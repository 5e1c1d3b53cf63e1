// Package eltwise is the Vulkan op family of the memory-bound ops:
// elementwise arithmetic and ReLU (elementwise.go; Copy, Add, Axpy and
// the ReLUs on engine.Float16 tensors too: float16.go), row and column
// reductions and SumSquares (reduce.go), bias (bias.go), pooling
// (pool.go), L2 normalisation (l2norm.go), softmax cross-entropy
// (crossentropy.go) and the optimizer steps (optim.go). Each op checks
// shapes, plans its grid from the device limits and records through the
// runtime (internal/vkrt); Shaders is the family's kernel table.
package eltwise

import "simclr-vk/engine/vulkan/internal/vkrt"

// Ops records the family's kernels on one runtime Device.
type Ops struct {
	vkrt.Family
}

// New returns the family's ops on rt.
func New(rt *vkrt.Device) *Ops { return &Ops{rt.Family()} }

// Shaders is the family's kernel table: each shader with its push-constant
// struct (package vulkan's TestPushConstants checks them against the GLSL).
var Shaders = map[string]any{
	"copy": pushN{}, "add": pushN{}, "sub": pushN{}, "mul": pushN{}, "relu_forward": pushN{}, "relu_backward": pushN{},
	"add_relu": pushN{}, "scale": pushNScalar{}, "axpy": pushNScalar{},
	"sum_rows": pushReduce{}, "sum_cols": pushReduce{}, "sum_squares": pushSumSquares{},
	"bias_forward": pushBias{}, "bias_backward": pushBias{},
	"maxpool2d_forward": pushPool{}, "maxpool2d_backward": pushPool{},
	"globalavgpool_forward": pushAvgPool{}, "globalavgpool_backward": pushAvgPool{},
	"l2normalize_forward": pushL2{}, "l2normalize_backward": pushL2{},
	"softmax_cross_entropy": pushCrossEntropy{},
	"sgd_step":              pushSGD{}, "adamw_step": pushAdamW{}, "lars_norms": pushLARS{}, "lars_step": pushLARS{},
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
