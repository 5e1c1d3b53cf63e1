package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// checkRank panics unless x has rank dimensions (dims names them in the
// message).
func checkRank(op string, x *Var, rank int, dims string) {
	if len(x.Shape) != rank {
		panic(fmt.Sprintf("layers: %s: input shape %v is not %s", op, x.Shape, dims))
	}
}

// Conv2D records y = conv(x, w) (+ bias when b != nil) with a square kernel,
// zero padding pad and stride stride. x (N,C,H,W), w (K,C,R,R), b (K)
// -> y (N,K,P,Q). Backward: Conv2DBackwardFilter (dw), BiasBackward (db),
// Conv2DBackwardData (dx, skipped when x needs no gradient).
func (t *Tape) Conv2D(x *Var, w, b *Param, stride, pad int) *Var {
	checkRank("Conv2D", x, 4, "(N,C,H,W)")
	ws := w.Shape()
	if len(ws) != 4 || ws[1] != x.Shape[1] {
		panic(fmt.Sprintf("layers: Conv2D: weight %s %v does not fit input %v", w.Name, ws, x.Shape))
	}
	p := engine.Conv2DParams{N: x.Shape[0], C: x.Shape[1], H: x.Shape[2], W: x.Shape[3],
		K: ws[0], R: ws[2], S: ws[3], StrideH: stride, StrideW: stride, PadH: pad, PadW: pad}
	p.Validate("layers Conv2D " + w.Name)
	P, Q := p.OutH(), p.OutW()
	y := t.newVar(p.N, p.K, P, Q)
	t.flops += p.Flops()
	wv, scratch := t.halfWeight(w)
	if b == nil {
		t.b.Conv2DForward(y.Value, x.Value, wv, p) // a float16 y rounded once
	} else {
		// One rounding after the bias: with float16 storage the product
		// goes through float32 copies (a float16 y would round twice).
		x32, doneX := t.float32Of(x.Value)
		y32, doneY := t.float32Out(y.Value)
		t.b.Conv2DForward(y32, x32, wv, p)
		t.b.BiasForward(y32, b.Value, p.N, p.K, P*Q)
		doneY()
		doneX()
	}
	t.half(y.Value)
	t.push(entry{op: "Conv2D " + w.Name, out: y, saved: []*Var{x}, scratch: scratch, params: []*Param{w, b}, backward: func(dy *engine.Tensor) {
		t.paramGradInto(b, func(db *engine.Tensor) { t.b.BiasBackward(db, dy, p.N, p.K, P*Q) })
		t.paramGradInto(w, func(dw *engine.Tensor) { t.b.Conv2DBackwardFilter(dw, dy, x.Value, p) })
		t.gradInto(x, func(dx *engine.Tensor) { t.b.Conv2DBackwardData(dx, dy, wv, p) })
	}})
	t.consumed(x)
	return y
}
