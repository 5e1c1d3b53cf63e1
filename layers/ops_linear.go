package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// Linear records y = x w^T (+ b): x (N,in), w (out,in) as torch.nn.Linear,
// b (out) -> y (N,out). Forward: Gemm + BiasForward (hw = 1). Backward:
// dx = dy w (Gemm), dw = dy^T x (Gemm), db = BiasBackward.
func (t *Tape) Linear(x *Var, w, b *Param) *Var {
	ws := w.Shape()
	if len(x.Shape) != 2 || len(ws) != 2 || ws[1] != x.Shape[1] {
		panic(fmt.Sprintf("layers: Linear: weight %s %v does not fit input %v", w.Name, ws, x.Shape))
	}
	n, in, out := x.Shape[0], x.Shape[1], ws[0]
	y := t.newVar(n, out)
	t.flops += 2 * float64(n) * float64(out) * float64(in)
	wv, scratch := t.halfWeight(w)
	if b == nil {
		t.b.Gemm(false, true, n, out, in, 1, x.Value, wv, 0, y.Value)
	} else {
		// One rounding after the bias: a float16 y is written from a
		// float32 product plus bias.
		y32, done := t.float32Out(y.Value)
		t.b.Gemm(false, true, n, out, in, 1, x.Value, wv, 0, y32)
		t.b.BiasForward(y32, b.Value, n, out, 1)
		done()
	}
	t.half(y.Value)
	t.push(entry{op: "Linear " + w.Name, out: y, saved: []*Var{x}, scratch: scratch, params: []*Param{w, b}, backward: func(dy *engine.Tensor) {
		t.paramGradInto(b, func(db *engine.Tensor) { t.b.BiasBackward(db, dy, n, out, 1) })
		t.paramGradInto(w, func(dw *engine.Tensor) { t.b.Gemm(true, false, out, in, n, 1, dy, x.Value, 0, dw) })
		t.gradInto(x, func(dx *engine.Tensor) { t.b.Gemm(false, false, n, in, out, 1, dy, wv, 0, dx) })
	}})
	t.consumed(x)
	return y
}
