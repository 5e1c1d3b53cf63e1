package layers

import "simclr-vk/engine"

// MaxPool2D records max pooling of x (N,C,H,W) with a k x k window. The
// argmax indices are kept for backward.
func (t *Tape) MaxPool2D(x *Var, k, stride, pad int) *Var {
	checkRank("MaxPool2D", x, 4, "(N,C,H,W)")
	p := engine.Pool2DParams{N: x.Shape[0], C: x.Shape[1], H: x.Shape[2], W: x.Shape[3],
		KH: k, KW: k, StrideH: stride, StrideW: stride, PadH: pad, PadW: pad}
	p.Validate("layers MaxPool2D")
	y := t.newVar(p.N, p.C, p.OutH(), p.OutW())
	argmax := t.pool.Get(y.Shape...)
	t.b.MaxPool2DForward(y.Value, argmax, x.Value, p)
	t.push(entry{op: "MaxPool2D", out: y, scratch: []*engine.Tensor{argmax}, backward: func(dy *engine.Tensor) {
		t.gradInto(x, func(dx *engine.Tensor) { t.b.MaxPool2DBackward(dx, dy, argmax, p) })
	}})
	t.consumed(x)
	return y
}

// GlobalAvgPool records x (N,C,H,W) -> y (N,C), the mean over H*W.
func (t *Tape) GlobalAvgPool(x *Var) *Var {
	checkRank("GlobalAvgPool", x, 4, "(N,C,H,W)")
	n, c, hw := x.Shape[0], x.Shape[1], x.Shape[2]*x.Shape[3]
	y := t.newVar(n, c)
	t.b.GlobalAvgPoolForward(y.Value, x.Value, n, c, hw)
	t.half(y.Value)
	t.push(entry{op: "GlobalAvgPool", out: y, backward: func(dy *engine.Tensor) {
		t.gradInto(x, func(dx *engine.Tensor) { t.b.GlobalAvgPoolBackward(dx, dy, n, c, hw) })
	}})
	t.consumed(x)
	return y
}
