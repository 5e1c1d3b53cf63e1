package batchnorm

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Batch normalisation in parts (engine.Backend's BatchNormStats,
// BatchNormApply, BatchNormBackwardSums, BatchNormBackwardApply), for
// statistics merged across devices between the parts. They reuse the
// split plan's kernels, which take groups of N/groups consecutive rows
// with statistics of their own (the workgroup grid's y runs over
// groups*C): statistics = batchnorm_forward_train_partial +
// batchnorm_stats_finalize; apply = batchnorm_forward_train_apply;
// backward sums = batchnorm_backward_partial + batchnorm_backward_finalize;
// backward apply = batchnorm_backward_apply with MEANS. CPU references:
// cpu.BatchNormStats, cpu.BatchNormApply, cpu.BatchNormBackwardSums,
// cpu.BatchNormBackwardApply.

// bnPartsPlan is the plan of the reductions of the parts ops for groups
// of p.N/groups rows: bnSplitPlan of one group's shape over groups*C
// channels, or, where that would take the fused kernels (which these ops
// do not have), as few chunks as the loop budget allows.
func (d *Ops) bnPartsPlan(p engine.BatchNormParams, groups int) bnPlan {
	q := p
	q.N, q.C = p.N/groups, p.C*groups
	if b := d.bnSplitPlan(q); b.parts > 0 {
		return b
	}
	b := bnPlan{vec: 1, local: 256}
	if p.HW%4 == 0 {
		b.vec = 4
	}
	if d.Info.Type == "cpu" {
		b.local = 64
	}
	b.local = min(b.local, int(d.Limit.MaxComputeWorkGroupInvocations))
	mv := q.N * q.HW / b.vec
	parts := min(mv, max(1, vkrt.CeilDiv(2*vkrt.CeilDiv(mv, b.local), max(1, vkrt.LoopBudget(d.Info)-64))))
	chunkV := vkrt.CeilDiv(mv, parts)
	b.parts, b.chunk = vkrt.CeilDiv(mv, chunkV), chunkV*b.vec
	return b
}

// bnPartsPush is the push block of the parts ops.
func bnPartsPush(b bnPlan, p engine.BatchNormParams, groups int) *pushBatchNormSplit {
	return &pushBatchNormSplit{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum, uint32(b.parts), uint32(b.chunk), uint32(groups)}
}

// bnApplyVariant is the .spv suffix of the elementwise kernels for p.
func bnApplyVariant(p engine.BatchNormParams) (string, int) {
	if p.HW%4 == 0 {
		return "_vec4", 4
	}
	return "_scalar", 1
}

// BatchNormStats writes each group's and channel's (mean, M2) (see
// engine.Backend).
func (d *Ops) BatchNormStats(stats, x *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormStats"
	engine.CheckBackend(op, d.Owner, stats, x)
	engine.CheckBatchNormGroupsOf(op, p, groups, x, nil, nil, engine.Float32, engine.Float16)
	checkIndices(op, p)
	engine.CheckNumel(op, "stats", stats, groups*p.C*2)
	b, push, partial := d.bnPartial(op, p, groups)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_forward_train_partial" + b.variant() + f16(x),
		Spec:   []uint32{uint32(b.local)},
		Push:   push,
		Groups: [3]int{b.parts, groups * p.C, 1},
		Args:   []vkrt.Arg{vkrt.Out(partial), vkrt.In(x)},
	})
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_stats_finalize",
		Spec:   []uint32{64},
		Push:   push,
		Groups: d.RT.Grid1D(groups*p.C, 1),
		Args:   []vkrt.Arg{vkrt.In(partial), vkrt.Out(stats)},
	})
	partial.Release()
}

// BatchNormApply normalises x with the given per-group statistics (see
// engine.Backend): x and y float32, or both engine.Float16 (the _f16
// variants: x loaded exactly, y rounded to nearest even from the float32
// result, as engine/cpu's emulation).
func (d *Ops) BatchNormApply(y, x, gamma, beta, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormApply"
	engine.CheckBackend(op, d.Owner, y, x, gamma, beta, mean, invStd)
	engine.CheckBatchNormGroupsOf(op, p, groups, x, gamma, beta, engine.Float32, engine.Float16)
	checkIndices(op, p)
	engine.CheckNumelOf(op, "y", y, x.Numel(), x.DType())
	engine.CheckNumel(op, "mean", mean, groups*p.C)
	engine.CheckNumel(op, "invStd", invStd, groups*p.C)
	variant, vec := bnApplyVariant(p)
	variant += f16(x)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_forward_train_apply" + variant,
		Spec:   []uint32{b2u(p.ReLU), b2u(gamma != nil), b2u(beta != nil)},
		Push:   bnPartsPush(bnPlan{}, p, groups),
		Groups: d.RT.Grid1D(x.Numel()/vec, 256),
		Args:   []vkrt.Arg{vkrt.Out(y), vkrt.In(x), orIn(gamma, x), orIn(beta, x), vkrt.In(mean), vkrt.In(invStd)},
	})
}

// bnPartial checks the grid of a two-pass reduction over each group and
// channel (partial sums, then a finalize pass) and returns its plan, push
// constants and the (groups*C, parts, 2) partials tensor, which the caller
// releases.
func (d *Ops) bnPartial(op string, p engine.BatchNormParams, groups int) (bnPlan, *pushBatchNormSplit, *engine.Tensor) {
	q := p
	q.C *= groups
	d.checkBNGrid(op, q)
	b := d.bnPartsPlan(p, groups)
	return b, bnPartsPush(b, p, groups), d.RT.New(groups*p.C, b.parts, 2)
}

// checkBNBackParts checks what the two backward parts share and returns y,
// nil unless p.ReLU.
func (d *Ops) checkBNBackParts(op string, dy, x, y, gamma, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) *engine.Tensor {
	engine.CheckBackend(op, d.Owner, dy, x, y, gamma, mean, invStd)
	engine.CheckBatchNormGroupsOf(op, p, groups, x, gamma, nil, engine.Float32, engine.Float16)
	checkIndices(op, p)
	engine.CheckBatchNormBackParts(op, p, groups, dy, x, y, mean, invStd)
	if !p.ReLU {
		return nil
	}
	return y
}

// BatchNormBackwardSums writes each group's and channel's (sum g,
// sum g*xhat) (see engine.Backend).
func (d *Ops) BatchNormBackwardSums(sums, dy, x, y, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormBackwardSums"
	engine.CheckBackend(op, d.Owner, sums)
	y = d.checkBNBackParts(op, dy, x, y, nil, mean, invStd, groups, p)
	engine.CheckNumel(op, "sums", sums, groups*p.C*2)
	b, push, partial := d.bnPartial(op, p, groups)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward_partial" + b.variant() + f16(x),
		Spec:   []uint32{uint32(b.local), b2u(p.ReLU)},
		Push:   push,
		Groups: [3]int{b.parts, groups * p.C, 1},
		Args:   []vkrt.Arg{vkrt.Out(partial), vkrt.In(dy), vkrt.In(x), orIn(y, x), vkrt.In(mean), vkrt.In(invStd)},
	})
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward_finalize",
		Spec:   []uint32{64, 0, 0},
		Push:   push,
		Groups: d.RT.Grid1D(groups*p.C, 1),
		Args:   []vkrt.Arg{vkrt.Out(sums), vkrt.In(mean), vkrt.In(mean), vkrt.In(partial)},
	})
	partial.Release()
}

// BatchNormBackwardApply forms dx from the batch means of g and g*xhat
// (see engine.Backend).
func (d *Ops) BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means *engine.Tensor, groups int, p engine.BatchNormParams) {
	const op = "BatchNormBackwardApply"
	engine.CheckBackend(op, d.Owner, dx, means)
	y = d.checkBNBackParts(op, dy, x, y, gamma, mean, invStd, groups, p)
	engine.CheckNumelOf(op, "dx", dx, x.Numel(), x.DType())
	engine.CheckNumel(op, "means", means, groups*p.C*2)
	variant, vec := bnApplyVariant(p)
	variant += f16(x)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward_apply" + variant,
		Spec:   []uint32{b2u(p.ReLU), b2u(gamma != nil), 1},
		Push:   bnPartsPush(bnPlan{}, p, groups),
		Groups: d.RT.Grid1D(x.Numel()/vec, 256),
		Args:   []vkrt.Arg{vkrt.Out(dx), vkrt.In(dy), vkrt.In(x), orIn(y, x), orIn(gamma, x), vkrt.In(mean), vkrt.In(invStd), vkrt.In(means)},
	})
}

// f16 is the variant suffix of the kernels whose (N, C, HW) tensors are
// stored like x: "_f16" for engine.Float16 (batchnorm_half.glsl), else "".
// The parts ops take them so (engine.Float16Operands); the statistics stay
// float32.
func f16(x *engine.Tensor) string {
	if x.DType() == engine.Float16 {
		return "_f16"
	}
	return ""
}
