package batchnorm

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// The finishing ops of batch norm in parts with one group
// (engine.Backend's BatchNormFinish, BatchNormBackwardFinish): one
// invocation per channel (batchnorm_finish, batchnorm_backward_finish), so
// that the parts composed without a merge need no host round trip. CPU
// references: cpu.BatchNormFinish, cpu.BatchNormBackwardFinish.

// BatchNormFinish turns one group's (mean, M2) into mean and invStd and
// updates the running statistics unless both are nil (see engine.Backend).
func (d *Ops) BatchNormFinish(mean, invStd, runMean, runVar, stats *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormFinish"
	engine.CheckBackend(op, d.Owner, mean, invStd, runMean, runVar, stats)
	engine.CheckBatchNormFinish(op, p, mean, invStd, runMean, runVar, stats)
	checkIndices(op, p)
	run, runV := vkrt.In(stats), vkrt.In(stats) // unused without RUNNING
	if runMean != nil {
		run, runV = vkrt.InOut(runMean), vkrt.InOut(runVar)
	}
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_finish",
		Spec:   []uint32{b2u(runMean != nil)},
		Push:   bnPartsPush(bnPlan{}, p, 1),
		Groups: d.RT.Grid1D(p.C, 64),
		Args:   []vkrt.Arg{vkrt.In(stats), vkrt.Out(mean), vkrt.Out(invStd), run, runV},
	})
}

// BatchNormInvStd writes invStd = 1/sqrt(runVar + eps) (see
// engine.Backend), in float32: a few ulps from the CPU reference's
// float64.
func (d *Ops) BatchNormInvStd(invStd, runVar *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormInvStd"
	engine.CheckBackend(op, d.Owner, invStd, runVar)
	engine.CheckBatchNormInvStd(op, p, invStd, runVar)
	checkIndices(op, p)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_invstd",
		Push:   bnPartsPush(bnPlan{}, p, 1),
		Groups: d.RT.Grid1D(p.C, 64),
		Args:   []vkrt.Arg{vkrt.In(runVar), vkrt.Out(invStd)},
	})
}

// BatchNormBackwardFinish turns one group's (sum g, sum g*xhat) into the
// means BatchNormBackwardApply reads and dgamma, dbeta where not nil (see
// engine.Backend).
func (d *Ops) BatchNormBackwardFinish(dgamma, dbeta, means, sums *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormBackwardFinish"
	engine.CheckBackend(op, d.Owner, dgamma, dbeta, means, sums)
	engine.CheckBatchNormBackwardFinish(op, p, dgamma, dbeta, means, sums)
	checkIndices(op, p)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward_finish",
		Spec:   []uint32{b2u(dgamma != nil), b2u(dbeta != nil)},
		Push:   bnPartsPush(bnPlan{}, p, 1),
		Groups: d.RT.Grid1D(p.C, 64),
		Args:   []vkrt.Arg{vkrt.In(sums), vkrt.Out(means), orOut(dgamma, sums), orOut(dbeta, sums)},
	})
}
