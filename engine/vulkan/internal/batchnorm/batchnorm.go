package batchnorm

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Batch normalisation over (N, C, HW) per channel; inference is
// elementwise. Training forward and backward take one of two plans
// (bnSplitPlan):
//   - fused: one workgroup per channel (batchnorm_forward_train,
//     batchnorm_backward), reductions and the elementwise pass in one
//     kernel. CPU devices (lavapipe runs workgroups on a few threads; the
//     channels already keep them busy) and problems too small to split.
//   - split: each channel's N*HW values cut into chunks, one workgroup per
//     (chunk, channel) writing partial sums (batchnorm_*_partial), a small
//     per-channel kernel merging them in a fixed order (batchnorm_*_finalize),
//     then a wide elementwise kernel (batchnorm_*_apply), vec4 access when
//     HW % 4 == 0. GPUs, where C workgroups (64..512) would leave most of
//     the compute units idle.
// All reductions are fixed-order trees in shared memory, no float atomics,
// so both plans are deterministic. The fused ReLU and the absence of gamma /
// beta are specialization constants. CPU references:
// cpu.BatchNormForwardTrain, cpu.BatchNormForwardInfer, cpu.BatchNormBackward.

// pushBatchNorm mirrors `{ uint n, c, hw; float eps, momentum; }` of
// batchnorm_forward_train.comp, batchnorm_forward_infer.comp and
// batchnorm_backward.comp.
type pushBatchNorm struct {
	N, C, HW      uint32
	Eps, Momentum float32
}

// pushBatchNormSplit mirrors `{ uint n, c, hw; float eps, momentum; uint
// parts, chunk, groups; }` of the batchnorm_*_partial, batchnorm_*_finalize
// and batchnorm_*_apply kernels (chunk in values, a multiple of the vector
// width; groups of N/groups consecutive rows with statistics of their own,
// 1 outside the batch-norm-in-parts ops).
type pushBatchNormSplit struct {
	N, C, HW             uint32
	Eps, Momentum        float32
	Parts, Chunk, Groups uint32
}

// bnPlan is the launch configuration of the split plan: parts chunks of
// chunk values per channel (parts == 0: the fused kernels), vec values per
// vector access, local invocations per partial workgroup.
type bnPlan struct {
	parts, chunk, vec, local int
}

// variant is the .spv suffix of the vectorised kernels.
func (b bnPlan) variant() string {
	if b.vec == 4 {
		return "_vec4"
	}
	return "_scalar"
}

// bnSplitPlan chooses the plan for m = N*HW values per channel.
// GPUs: enough (chunk, channel) workgroups of 256 invocations to give each
// compute unit about 16 (fillGroups), each chunk at least 4 vectors per
// invocation; fused when that leaves a single chunk. CPU devices: fused,
// unless fewer than 16 channels would leave lavapipe's threads idle and
// the channel is long enough for chunks of 64 vectors per invocation.
func (d *Ops) bnSplitPlan(p engine.BatchNormParams) bnPlan {
	b := bnPlan{vec: 1, local: 256}
	if p.HW%4 == 0 {
		b.vec = 4
	}
	mv := p.N * p.HW / b.vec
	target, minIter := 4*vkrt.FillGroups(d.Info), 4
	if d.Info.Type == "cpu" {
		b.local, target, minIter = 64, 16, 64
	}
	b.local = min(b.local, int(d.Limit.MaxComputeWorkGroupInvocations))
	parts := min(vkrt.CeilDiv(target, p.C), max(1, mv/(minIter*b.local)))
	// Loop budget of the partial kernels (two passes over a chunk).
	parts = max(parts, vkrt.CeilDiv(2*vkrt.CeilDiv(mv, b.local), max(1, vkrt.LoopBudget(d.Info)-64)))
	if d.split > 0 { // Options.BatchNormSplit
		parts = d.split
	} else if parts <= 1 || d.split < 0 {
		return bnPlan{}
	}
	parts = min(parts, mv, int(d.Limit.MaxComputeWorkGroupCount[0]))
	chunkV := vkrt.CeilDiv(mv, parts)
	b.parts, b.chunk = vkrt.CeilDiv(mv, chunkV), chunkV*b.vec
	return b
}

// bnLocal is the workgroup size of the per-channel kernels for m = N*HW
// values per channel: 256 on GPUs; on CPU devices 64 (lavapipe: fewer
// coroutine switches per barrier), doubled while the three loops over the
// channel (ceil(m/local) iterations each) would exceed the loop budget.
// Always a power of two within maxComputeWorkGroupInvocations.
func (d *Ops) bnLocal(op string, m int) int {
	maxInv := int(d.Limit.MaxComputeWorkGroupInvocations)
	l := 256
	if d.Info.Type == "cpu" {
		l = 64
		for 3*vkrt.CeilDiv(m, l)+64 > vkrt.LoopBudget(d.Info) && 2*l <= maxInv {
			l *= 2
		}
	}
	for l > maxInv {
		l /= 2
	}
	if 3*vkrt.CeilDiv(m, l)+64 > vkrt.LoopBudget(d.Info) {
		panic(fmt.Sprintf("engine: %s: %d values per channel exceed this device's loop budget (%d iterations per invocation, %d invocations per workgroup)", op, m, vkrt.LoopBudget(d.Info), l))
	}
	return l
}

func checkBatchNorm(op string, d *Ops, p engine.BatchNormParams, x, gamma, beta *engine.Tensor, stats ...*engine.Tensor) {
	engine.CheckBatchNorm(op, p, x, gamma, beta, stats...)
	checkIndices(op, p)
}

// checkIndices panics unless x's elements have 32-bit shader indices.
func checkIndices(op string, p engine.BatchNormParams) {
	if uint64(p.N)*uint64(p.C)*uint64(p.HW) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: %v exceeds 2^32 elements (32-bit shader indices)", op, p))
	}
}

// orIn binds t for reading, or placeholder when t is nil (the kernel's
// specialization constants say the binding is unused).
func orIn(t, placeholder *engine.Tensor) vkrt.Arg {
	if t == nil {
		return vkrt.In(placeholder)
	}
	return vkrt.In(t)
}

// orOut binds t for writing, or placeholder for reading when t is nil (the
// kernel's specialization constants say the binding is unused).
func orOut(t, placeholder *engine.Tensor) vkrt.Arg {
	if t == nil {
		return vkrt.In(placeholder)
	}
	return vkrt.Out(t)
}

// BatchNormForwardTrain normalises with the batch statistics and updates
// the running ones (see engine.Backend).
func (d *Ops) BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormForwardTrain"
	engine.CheckBackend(op, d.Owner, y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd)
	checkBatchNorm(op, d, p, x, gamma, beta, runMean, runVar, saveMean, saveInvStd)
	engine.CheckNumel(op, "y", y, x.Numel())
	if p.N*p.HW < 2 {
		panic(fmt.Sprintf("engine: %s: need more than 1 value per channel in training mode (N %d, HW %d)", op, p.N, p.HW))
	}
	if b := d.bnSplitPlan(p); b.parts > 0 {
		d.bnForwardTrainSplit(b, y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd, p)
		return
	}
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_forward_train",
		Spec:   []uint32{uint32(d.bnLocal(op, p.N*p.HW)), b2u(p.ReLU), b2u(gamma != nil), b2u(beta != nil)},
		Push:   &pushBatchNorm{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum},
		Groups: d.RT.Grid1D(p.C, 1),
		Args: []vkrt.Arg{vkrt.Out(y), vkrt.In(x), orIn(gamma, x), orIn(beta, x), vkrt.InOut(runMean), vkrt.InOut(runVar),
			vkrt.Out(saveMean), vkrt.Out(saveInvStd)},
	})
}

// BatchNormForwardInfer normalises with the running statistics.
func (d *Ops) BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormForwardInfer"
	engine.CheckBackend(op, d.Owner, y, x, gamma, beta, runMean, runVar)
	checkBatchNorm(op, d, p, x, gamma, beta, runMean, runVar)
	engine.CheckNumel(op, "y", y, x.Numel())
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_forward_infer",
		Spec:   []uint32{b2u(p.ReLU), b2u(gamma != nil), b2u(beta != nil)},
		Push:   &pushBatchNorm{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum},
		Groups: d.RT.Grid1D(x.Numel(), 256),
		Args:   []vkrt.Arg{vkrt.Out(y), vkrt.In(x), orIn(gamma, x), orIn(beta, x), vkrt.In(runMean), vkrt.In(runVar)},
	})
}

// BatchNormBackward gives dx, dgamma and dbeta of the training forward.
func (d *Ops) BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormBackward"
	engine.CheckBackend(op, d.Owner, dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd)
	checkBatchNorm(op, d, p, x, gamma, nil, saveMean, saveInvStd)
	engine.CheckNumel(op, "dx", dx, x.Numel())
	engine.CheckNumel(op, "dy", dy, x.Numel())
	if p.ReLU {
		engine.CheckNumel(op, "y", y, x.Numel())
	} else {
		y = nil
	}
	if dgamma != nil {
		engine.CheckNumel(op, "dgamma", dgamma, p.C)
	}
	if dbeta != nil {
		engine.CheckNumel(op, "dbeta", dbeta, p.C)
	}
	if b := d.bnSplitPlan(p); b.parts > 0 {
		d.bnBackwardSplit(b, dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd, p)
		return
	}
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward",
		Spec:   []uint32{uint32(d.bnLocal(op, p.N*p.HW)), b2u(p.ReLU), b2u(gamma != nil), b2u(dgamma != nil), b2u(dbeta != nil)},
		Push:   &pushBatchNorm{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum},
		Groups: d.RT.Grid1D(p.C, 1),
		Args: []vkrt.Arg{vkrt.Out(dx), orOut(dgamma, saveMean), orOut(dbeta, saveMean), vkrt.In(dy), vkrt.In(x), orIn(y, x), orIn(gamma, x),
			vkrt.In(saveMean), vkrt.In(saveInvStd)},
	})
}

func (d *Ops) checkBNGrid(op string, p engine.BatchNormParams) {
	if p.C > int(d.Limit.MaxComputeWorkGroupCount[1]) {
		panic(fmt.Sprintf("engine: %s: %d channels exceed this device's %d workgroups in y", op, p.C, d.Limit.MaxComputeWorkGroupCount[1]))
	}
}

// bnForwardTrainSplit is the split plan of BatchNormForwardTrain: partial
// (sum, M2) per chunk, per-channel merge, elementwise normalisation.
func (d *Ops) bnForwardTrainSplit(b bnPlan, y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	d.checkBNGrid("BatchNormForwardTrain", p)
	push := &pushBatchNormSplit{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum, uint32(b.parts), uint32(b.chunk), 1}
	partial := d.RT.New(p.C, b.parts, 2)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_forward_train_partial" + b.variant(),
		Spec:   []uint32{uint32(b.local)},
		Push:   push,
		Groups: [3]int{b.parts, p.C, 1},
		Args:   []vkrt.Arg{vkrt.Out(partial), vkrt.In(x)},
	})
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_forward_train_finalize",
		Spec:   []uint32{64},
		Push:   push,
		Groups: d.RT.Grid1D(p.C, 1),
		Args:   []vkrt.Arg{vkrt.In(partial), vkrt.InOut(runMean), vkrt.InOut(runVar), vkrt.Out(saveMean), vkrt.Out(saveInvStd)},
	})
	partial.Release()
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_forward_train_apply" + b.variant(),
		Spec:   []uint32{b2u(p.ReLU), b2u(gamma != nil), b2u(beta != nil)},
		Push:   push,
		Groups: d.RT.Grid1D(x.Numel()/b.vec, 256),
		Args:   []vkrt.Arg{vkrt.Out(y), vkrt.In(x), orIn(gamma, x), orIn(beta, x), vkrt.In(saveMean), vkrt.In(saveInvStd)},
	})
}

// bnBackwardSplit is the split plan of BatchNormBackward: partial (sum g,
// sum g*xhat) per chunk, per-channel sums (also dbeta, dgamma), elementwise
// dx. y is nil unless p.ReLU.
func (d *Ops) bnBackwardSplit(b bnPlan, dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	d.checkBNGrid("BatchNormBackward", p)
	push := &pushBatchNormSplit{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum, uint32(b.parts), uint32(b.chunk), 1}
	partial := d.RT.New(p.C, b.parts, 2)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward_partial" + b.variant(),
		Spec:   []uint32{uint32(b.local), b2u(p.ReLU)},
		Push:   push,
		Groups: [3]int{b.parts, p.C, 1},
		Args:   []vkrt.Arg{vkrt.Out(partial), vkrt.In(dy), vkrt.In(x), orIn(y, x), vkrt.In(saveMean), vkrt.In(saveInvStd)},
	})
	sums := d.RT.New(p.C, 2)
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward_finalize",
		Spec:   []uint32{64, b2u(dgamma != nil), b2u(dbeta != nil)},
		Push:   push,
		Groups: d.RT.Grid1D(p.C, 1),
		Args:   []vkrt.Arg{vkrt.Out(sums), orOut(dgamma, saveMean), orOut(dbeta, saveMean), vkrt.In(partial)},
	})
	partial.Release()
	d.RT.Dispatch(vkrt.Kernel{
		Shader: "batchnorm_backward_apply" + b.variant(),
		Spec:   []uint32{b2u(p.ReLU), b2u(gamma != nil)},
		Push:   push,
		Groups: d.RT.Grid1D(x.Numel()/b.vec, 256),
		Args:   []vkrt.Arg{vkrt.Out(dx), vkrt.In(dy), vkrt.In(x), orIn(y, x), orIn(gamma, x), vkrt.In(saveMean), vkrt.In(saveInvStd), vkrt.In(sums)},
	})
	sums.Release()
}
