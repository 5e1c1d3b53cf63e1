package layers

import (
	"fmt"

	"simclr-vk/engine"
)

// BatchNormOp records batch normalisation of x (N,C,H,W) or (N,C) per
// channel with bn's parameters, fused with ReLU when relu is set. In training
// mode it uses the batch statistics, updates the running ones and counts
// num_batches_tracked on the host (neither with Tape.frozenStats, the
// first forward of a chunked step); in eval mode it uses the running ones (no
// backward is recorded for eval mode). During a data-parallel Step with
// global BN, or with BN groups (Parallel), the training mode takes the
// engine's batch-norm-in-parts path (batchNormParts).
func (t *Tape) BatchNormOp(x *Var, bn *BatchNorm, relu bool) *Var {
	if len(x.Shape) != 2 && len(x.Shape) != 4 || x.Shape[1] != bn.C {
		panic(fmt.Sprintf("layers: BatchNorm %s: input shape %v, want (N,%d[,H,W])", bn.Name, x.Shape, bn.C))
	}
	hw := 1
	if len(x.Shape) == 4 {
		hw = x.Shape[2] * x.Shape[3]
	}
	p := engine.BatchNormParams{N: x.Shape[0], C: bn.C, HW: hw, Eps: bn.Eps, Momentum: bn.Momentum, ReLU: relu}
	y := t.newVar(x.Shape...)
	gamma, beta := bn.Gamma.Value, (*engine.Tensor)(nil)
	if bn.Beta != nil {
		beta = bn.Beta.Value
	}
	if !t.train {
		x32, doneX := t.float32Of(x.Value) // the fused ops read float32 only
		y32, doneY := t.float32Out(y.Value)
		t.b.BatchNormForwardInfer(y32, x32, gamma, beta, bn.RunningMean.Value, bn.RunningVar.Value, p)
		doneY()
		doneX()
		t.half(y.Value)
		t.consumed(x)
		return y
	}
	if t.par.splitBN() {
		return t.batchNormParts(x, y, bn, gamma, beta, p, relu)
	}
	mean, invStd := t.pool.Get(bn.C), t.pool.Get(bn.C)
	runMean, runVar := bn.RunningMean.Value, bn.RunningVar.Value
	if t.frozenStats {
		// The op updates running statistics in place: give it scratch
		// ones (the normalisation does not read them in training mode).
		runMean, runVar = t.pool.Get(bn.C), t.pool.Get(bn.C)
		defer t.pool.Put(runMean)
		defer t.pool.Put(runVar)
	} else {
		bn.NumBatchesTracked.Count++
	}
	x32, doneX := t.float32Of(x.Value)
	y32, doneY := t.float32Out(y.Value)
	t.b.BatchNormForwardTrain(y32, x32, gamma, beta, runMean, runVar, mean, invStd, p)
	doneY()
	doneX()
	t.half(y.Value)
	saved := []*Var{x}
	if relu {
		saved = append(saved, y)
	}
	t.push(entry{op: "BatchNorm " + bn.Name, out: y, saved: saved, scratch: []*engine.Tensor{mean, invStd}, params: []*Param{bn.Gamma, bn.Beta}, backward: func(dy *engine.Tensor) {
		dg, doneG := t.paramGradDst(bn.Gamma)
		var db *engine.Tensor
		doneB := func() {}
		if bn.Beta != nil {
			db, doneB = t.paramGradDst(bn.Beta)
		}
		dx, doneX := t.bnGradX(x)
		yv := y.Value
		if !relu {
			yv = nil
		}
		// Float16 storage: float32 copies in and out of the fused op.
		dy32, doneDy := t.float32Of(dy)
		x32, doneX32 := t.float32Of(x.Value)
		y32, doneY32 := t.float32Of(yv)
		dx32, doneDx := t.float32Out(dx)
		t.b.BatchNormBackward(dx32, dg, db, dy32, x32, y32, gamma, mean, invStd, p)
		doneDx()
		doneY32()
		doneX32()
		doneDy()
		doneG()
		doneB()
		doneX()
	}})
	t.consumed(x)
	return y
}

// L2Normalize records y[r] = x[r] / max(||x[r]||, 1e-12) over the rows of
// x (rows, dim).
func (t *Tape) L2Normalize(x *Var) *Var {
	checkRank("L2Normalize", x, 2, "(rows, dim)")
	rows, dim := x.Shape[0], x.Shape[1]
	y := t.newVarOf(engine.Float32, rows, dim)
	y.f32 = true // read only by the float32 loss
	norm := t.pool.Get(rows)
	x32, doneX := t.float32Of(x.Value) // a float16 z read in float32
	t.b.L2NormalizeForward(y.Value, norm, x32, rows, dim)
	doneX()
	t.push(entry{op: "L2Normalize", out: y, saved: []*Var{y}, scratch: []*engine.Tensor{norm}, backward: func(dy *engine.Tensor) {
		t.gradInto(x, func(dx *engine.Tensor) {
			dx32, done := t.float32Out(dx) // scaled, then rounded once
			t.b.L2NormalizeBackward(dx32, dy, y.Value, norm, rows, dim)
			t.scaleLoss(dx32)
			done()
		})
	}})
	t.consumed(x)
	return y
}
