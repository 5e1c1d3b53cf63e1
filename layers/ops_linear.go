package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// Linear records y = x w^T (+ b): x (N,in), w (out,in) as torch.nn.Linear,
// b (out) -> y (N,out). Forward: Gemm + BiasForward (hw = 1). Backward:
// dx = dy w (Gemm), dw = dy^T x (Gemm), db = BiasBackward.
func (t *Tape) Linear(x *Var, w, b *Param) *Var { return t.linear(x, w, b, false) }

// LossLinear is Linear for a layer whose output only a float32 loss reads
// (a classifier's logits, read by the cross-entropy): in float32 it is
// Linear, bit for bit. In mixed precision its output is float32, not
// rounded to float16 (as L2Normalize's output; the product still reads x's
// float16 values and a float16 copy of w), and its backward multiplies the
// gradient it gets from the loss by the loss scale (SetLossScale) before
// using it, as L2Normalize's backward scales its dx: dx (rounded to
// float16) and the gradients of w and b are then scale times the true
// ones.
func (t *Tape) LossLinear(x *Var, w, b *Param) *Var { return t.linear(x, w, b, true) }

// linear is Linear, or with loss LossLinear.
func (t *Tape) linear(x *Var, w, b *Param, loss bool) *Var {
	ws := w.Shape()
	if len(x.Shape) != 2 || len(ws) != 2 || ws[1] != x.Shape[1] {
		panic(fmt.Sprintf("layers: Linear: weight %s %v does not fit input %v", w.Name, ws, x.Shape))
	}
	n, in, out := x.Shape[0], x.Shape[1], ws[0]
	op, y := "Linear ", (*Var)(nil)
	if loss {
		op, y = "LossLinear ", t.newVarOf(engine.Float32, n, out)
		y.f32 = true // read only by the float32 loss
	} else {
		y = t.newVar(n, out)
	}
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
	if !loss {
		t.half(y.Value)
	}
	t.push(entry{op: op + w.Name, out: y, saved: []*Var{x}, scratch: scratch, params: []*Param{w, b}, backward: func(dy *engine.Tensor) {
		if loss {
			t.scaleLoss(dy) // y.Grad, float32: every gradient below is scaled
		}
		t.paramGradInto(b, func(db *engine.Tensor) { t.b.BiasBackward(db, dy, n, out, 1) })
		t.paramGradInto(w, func(dw *engine.Tensor) { t.b.Gemm(true, false, out, in, n, 1, dy, x.Value, 0, dw) })
		t.gradInto(x, func(dx *engine.Tensor) { t.b.Gemm(false, false, n, in, out, 1, dy, wv, 0, dx) })
	}})
	t.consumed(x)
	return y
}
