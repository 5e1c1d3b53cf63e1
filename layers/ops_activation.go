package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// ReLU records y = max(x, 0) (use BatchNormOp's fusion where a BN precedes).
func (t *Tape) ReLU(x *Var) *Var {
	y := t.newVar(x.Shape...)
	t.b.ReLUForward(y.Value, x.Value)
	t.push(entry{op: "ReLU", out: y, saved: []*Var{y}, backward: func(dy *engine.Tensor) {
		t.gradInto(x, func(dx *engine.Tensor) { t.b.ReLUBackward(dx, dy, y.Value) })
	}})
	t.consumed(x)
	return y
}

// AddReLU records y = max(a + b, 0), the end of a residual block. Backward
// sends the masked gradient to both inputs (accumulating where an input
// already has one, e.g. the identity shortcut's source).
func (t *Tape) AddReLU(a, b *Var) *Var {
	if !engine.SameShape(a.Shape, b.Shape) {
		panic(fmt.Sprintf("layers: AddReLU: shapes %v and %v differ", a.Shape, b.Shape))
	}
	y := t.newVar(a.Shape...)
	t.b.AddReLU(y.Value, a.Value, b.Value) // one pass; a float16 y is max(round(a + b), 0)
	t.half(y.Value)                        // = max(round(a + b), 0) from a float32 y too
	t.push(entry{op: "AddReLU", out: y, saved: []*Var{y}, backward: func(dy *engine.Tensor) {
		if a.requiresGrad && b.requiresGrad {
			da, doneA := t.gradDst(a)
			t.b.ReLUBackward(da, dy, y.Value)
			db, doneB := t.gradDst(b)
			t.b.Copy(db, da)
			doneA()
			doneB()
			return
		}
		for _, v := range []*Var{a, b} { // at most one needs a gradient
			t.gradInto(v, func(dv *engine.Tensor) { t.b.ReLUBackward(dv, dy, y.Value) })
		}
	}})
	t.consumed(a, b)
	return y
}
