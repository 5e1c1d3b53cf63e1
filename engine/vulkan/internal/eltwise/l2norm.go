package eltwise

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Row-wise L2 normalisation, one row per invocation (no shared memory).
// CPU references: cpu.L2NormalizeForward, cpu.L2NormalizeBackward.

// pushL2 mirrors `{ uint rows, dim; }` of l2normalize_forward.comp and
// l2normalize_backward.comp.
type pushL2 struct {
	Rows, Dim uint32
}

// checkRowsDim validates a (rows, dim) problem solved one row per
// invocation with loops loops over dim (see Device.loopBudget).
func (d *Ops) checkRowsDim(op string, rows, dim, loops int) {
	engine.CheckSizes(op, "rows dim", rows, dim)
	if uint64(rows)*uint64(dim) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: %d x %d exceeds 2^32 elements (32-bit shader indices)", op, rows, dim))
	}
	if loops*dim+64 > vkrt.LoopBudget(d.Info) {
		panic(fmt.Sprintf("engine: %s: rows of %d values exceed this device's loop budget (%d iterations per invocation)", op, dim, vkrt.LoopBudget(d.Info)))
	}
}

// L2NormalizeForward: y[r] = x[r] / max(||x[r]||, 1e-12), norm[r] the divisor.
func (d *Ops) L2NormalizeForward(y, norm, x *engine.Tensor, rows, dim int) {
	const op = "L2NormalizeForward"
	engine.CheckBackend(op, d.Owner, y, norm, x)
	d.checkRowsDim(op, rows, dim, 2)
	engine.CheckNumel(op, "x", x, rows*dim)
	engine.CheckNumel(op, "y", y, rows*dim)
	engine.CheckNumel(op, "norm", norm, rows)
	d.RT.Dispatch(vkrt.Kernel{Shader: "l2normalize_forward", Push: &pushL2{uint32(rows), uint32(dim)},
		Groups: d.RT.Grid1D(rows, 64), Args: []vkrt.Arg{vkrt.Out(y), vkrt.Out(norm), vkrt.In(x)}})
}

// L2NormalizeBackward: dx[r] = (dy[r] - y[r] <y[r], dy[r]>) / norm[r].
func (d *Ops) L2NormalizeBackward(dx, dy, y, norm *engine.Tensor, rows, dim int) {
	const op = "L2NormalizeBackward"
	engine.CheckBackend(op, d.Owner, dx, dy, y, norm)
	d.checkRowsDim(op, rows, dim, 2)
	engine.CheckNumel(op, "dx", dx, rows*dim)
	engine.CheckNumel(op, "dy", dy, rows*dim)
	engine.CheckNumel(op, "y", y, rows*dim)
	engine.CheckNumel(op, "norm", norm, rows)
	d.RT.Dispatch(vkrt.Kernel{Shader: "l2normalize_backward", Push: &pushL2{uint32(rows), uint32(dim)},
		Groups: d.RT.Grid1D(rows, 64), Args: []vkrt.Arg{vkrt.Out(dx), vkrt.In(dy), vkrt.In(y), vkrt.In(norm)}})
}
