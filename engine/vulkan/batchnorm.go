package vulkan

import (
	"fmt"

	"simclr-vk/engine"
)

// Batch normalisation over (N, C, HW) per channel. Training forward and
// backward run one workgroup per channel (fixed-order tree reductions in
// shared memory, no float atomics); inference is elementwise. The fused
// ReLU and the absence of gamma / beta are specialization constants.
// CPU references: cpu.BatchNormForwardTrain, cpu.BatchNormForwardInfer,
// cpu.BatchNormBackward.

// pushBatchNorm mirrors `{ uint n, c, hw; float eps, momentum; }` of
// batchnorm_forward_train.comp, batchnorm_forward_infer.comp and
// batchnorm_backward.comp.
type pushBatchNorm struct {
	N, C, HW      uint32
	Eps, Momentum float32
}

// bnLocal is the workgroup size of the per-channel kernels for m = N*HW
// values per channel: 256 on GPUs; on CPU devices 64 (lavapipe: fewer
// coroutine switches per barrier), doubled while the three loops over the
// channel (ceil(m/local) iterations each) would exceed the loop budget.
// Always a power of two within maxComputeWorkGroupInvocations.
func (d *Device) bnLocal(op string, m int) int {
	maxInv := int(d.limit.MaxComputeWorkGroupInvocations)
	l := 256
	if d.info.Type == "cpu" {
		l = 64
		for 3*ceilDiv(m, l)+64 > d.loopBudget() && 2*l <= maxInv {
			l *= 2
		}
	}
	for l > maxInv {
		l /= 2
	}
	if 3*ceilDiv(m, l)+64 > d.loopBudget() {
		panic(fmt.Sprintf("engine: %s: %d values per channel exceed this device's loop budget (%d iterations per invocation, %d invocations per workgroup)", op, m, d.loopBudget(), l))
	}
	return l
}

func checkBatchNorm(op string, d *Device, p engine.BatchNormParams, x, gamma, beta *engine.Tensor, stats ...*engine.Tensor) {
	if p.N <= 0 || p.C <= 0 || p.HW <= 0 || !(p.Eps >= 0) {
		panic(fmt.Sprintf("engine: %s: invalid parameters %+v", op, p))
	}
	engine.CheckNumel(op, "x", x, p.N*p.C*p.HW)
	if gamma != nil {
		engine.CheckNumel(op, "gamma", gamma, p.C)
	}
	if beta != nil {
		engine.CheckNumel(op, "beta", beta, p.C)
	}
	for _, s := range stats {
		engine.CheckNumel(op, "statistics", s, p.C)
	}
	if uint64(p.N)*uint64(p.C)*uint64(p.HW) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: %v exceeds 2^32 elements (32-bit shader indices)", op, p))
	}
}

// orIn binds t for reading, or placeholder when t is nil (the kernel's
// specialization constants say the binding is unused).
func orIn(t, placeholder *engine.Tensor) arg {
	if t == nil {
		return in(placeholder)
	}
	return in(t)
}

// BatchNormForwardTrain normalises with the batch statistics and updates
// the running ones (see engine.Backend).
func (d *Device) BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormForwardTrain"
	engine.CheckBackend(op, d, y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd)
	checkBatchNorm(op, d, p, x, gamma, beta, runMean, runVar, saveMean, saveInvStd)
	engine.CheckNumel(op, "y", y, x.Numel())
	if p.N*p.HW < 2 {
		panic(fmt.Sprintf("engine: %s: need more than 1 value per channel in training mode (N %d, HW %d)", op, p.N, p.HW))
	}
	d.dispatch(kernel{
		Shader: "batchnorm_forward_train",
		Spec:   []uint32{uint32(d.bnLocal(op, p.N*p.HW)), b2u(p.ReLU), b2u(gamma != nil), b2u(beta != nil)},
		Push:   &pushBatchNorm{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum},
		Groups: d.grid1D(p.C, 1),
		Args: []arg{out(y), in(x), orIn(gamma, x), orIn(beta, x), inout(runMean), inout(runVar),
			out(saveMean), out(saveInvStd)},
	})
}

// BatchNormForwardInfer normalises with the running statistics.
func (d *Device) BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormForwardInfer"
	engine.CheckBackend(op, d, y, x, gamma, beta, runMean, runVar)
	checkBatchNorm(op, d, p, x, gamma, beta, runMean, runVar)
	engine.CheckNumel(op, "y", y, x.Numel())
	d.dispatch(kernel{
		Shader: "batchnorm_forward_infer",
		Spec:   []uint32{b2u(p.ReLU), b2u(gamma != nil), b2u(beta != nil)},
		Push:   &pushBatchNorm{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum},
		Groups: d.grid1D(x.Numel(), 256),
		Args:   []arg{out(y), in(x), orIn(gamma, x), orIn(beta, x), in(runMean), in(runVar)},
	})
}

// BatchNormBackward gives dx, dgamma and dbeta of the training forward.
func (d *Device) BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	const op = "BatchNormBackward"
	engine.CheckBackend(op, d, dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd)
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
	orOut := func(t *engine.Tensor) arg {
		if t == nil {
			return in(saveMean) // unused binding
		}
		return out(t)
	}
	d.dispatch(kernel{
		Shader: "batchnorm_backward",
		Spec:   []uint32{uint32(d.bnLocal(op, p.N*p.HW)), b2u(p.ReLU), b2u(gamma != nil), b2u(dgamma != nil), b2u(dbeta != nil)},
		Push:   &pushBatchNorm{uint32(p.N), uint32(p.C), uint32(p.HW), p.Eps, p.Momentum},
		Groups: d.grid1D(p.C, 1),
		Args: []arg{out(dx), orOut(dgamma), orOut(dbeta), in(dy), in(x), orIn(y, x), orIn(gamma, x),
			in(saveMean), in(saveInvStd)},
	})
}
