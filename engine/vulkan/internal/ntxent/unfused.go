package ntxent

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Unfused is the unfused composition kept only as a benchmark baseline
// (not part of engine.Backend; package vulkan exposes it through its Lab):
// S = z z^T / tau with Options.Gemm (rows x rows stored), a row pass for
// the log-sum-exp (ntxent_forward_unfused, then ntxent_loss), the gradient
// weights written over S (ntxent_backward_unfused) and dz = W z with
// Options.Gemm. Same results as ForwardBackward up to rounding; O(N^2)
// memory.
func (o *Ops) Unfused(dz, res, z *engine.Tensor, tau float32) {
	const op = "NTXentUnfused"
	rows, dim := checkNTXent(op, o, dz, res, z, tau)
	if uint64(rows)*uint64(rows) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: %d x %d similarity matrix exceeds 2^32 elements", op, rows, rows))
	}
	if 2*rows+64 > vkrt.LoopBudget(o.Info) {
		panic(fmt.Sprintf("engine: %s: %d rows exceed this device's loop budget (%d iterations per invocation)", op, rows, vkrt.LoopBudget(o.Info)))
	}
	push := &pushNTXent{Rows: uint32(rows), D: uint32(dim), NHalf: uint32(rows / 2), Chunk: uint32(rows), Parts: 1,
		InvTau: 1 / tau, Scale: float32(1 / (float64(rows) * float64(tau)))}
	rt, gemm := o.RT, o.opts.Gemm
	local := vkrt.ReduceLocal(o.Info, o.Limit)
	s, part, lse := rt.New(rows, rows), rt.New(rows*4), rt.New(rows)
	gemm(false, true, rows, rows, dim, 1/tau, z, z, 0, s)
	rt.Dispatch(vkrt.Kernel{Shader: "ntxent_forward_unfused", Push: push, Groups: rt.Grid1D(rows, 64),
		Args: []vkrt.Arg{vkrt.Out(part), vkrt.In(s)}})
	rt.Dispatch(vkrt.Kernel{Shader: "ntxent_loss", Spec: []uint32{uint32(local)}, Push: push,
		Groups: [3]int{1, 1, 1}, Args: []vkrt.Arg{vkrt.Out(res), vkrt.Out(lse), vkrt.In(part)}})
	if dz != nil {
		rt.Dispatch(vkrt.Kernel{Shader: "ntxent_backward_unfused", Push: push, Groups: rt.Grid1D(rows*rows, 256),
			Args: []vkrt.Arg{vkrt.InOut(s), vkrt.In(lse)}})
		gemm(false, false, rows, dim, rows, 1, s, z, 0, dz)
	}
	s.Release()
	part.Release()
	lse.Release()
}
