// Package batchnorm is the Vulkan op family of batch normalisation: the
// fused training / inference / backward kernels, the split plan (partial
// sums per chunk of a channel, finalize, apply) that GPUs take when too few
// channels would fill them (bnSplitPlan; Options.BatchNormSplit forces it),
// the parts for statistics merged across devices (parts.go) and their
// one-group finish on the device (finish.go). Shaders
// is the family's kernel table.
package batchnorm

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Ops records the family's kernels on one runtime Device.
type Ops struct {
	vkrt.Family
	split int // Options.BatchNormSplit: > 0 chunks, < 0 fused, 0 by plan
}

// New returns the family's ops on rt; split is Options.BatchNormSplit.
func New(rt *vkrt.Device, split int) *Ops { return &Ops{rt.Family(), split} }

// Shaders is the family's kernel table: each shader with its push-constant
// struct (package vulkan's TestPushConstants checks them against the GLSL).
var Shaders = map[string]any{
	"batchnorm_forward_train": pushBatchNorm{}, "batchnorm_forward_infer": pushBatchNorm{}, "batchnorm_backward": pushBatchNorm{},
	"batchnorm_forward_train_partial": pushBatchNormSplit{}, "batchnorm_forward_train_finalize": pushBatchNormSplit{},
	"batchnorm_forward_train_apply": pushBatchNormSplit{}, "batchnorm_backward_partial": pushBatchNormSplit{},
	"batchnorm_backward_finalize": pushBatchNormSplit{}, "batchnorm_backward_apply": pushBatchNormSplit{},
	"batchnorm_stats_finalize": pushBatchNormSplit{}, "batchnorm_finish": pushBatchNormSplit{}, "batchnorm_backward_finish": pushBatchNormSplit{},
	"batchnorm_invstd": pushBatchNormSplit{},
}

// SplitParts is the number of chunks per channel of the split plan the
// training kernels take for p (0: the fused kernels), so tests can check
// that Options.BatchNormSplit reached the plan.
func (d *Ops) SplitParts(p engine.BatchNormParams) int { return d.bnSplitPlan(p).parts }

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
