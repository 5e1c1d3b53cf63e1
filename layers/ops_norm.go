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
// engine's batch-norm-in-parts path (batchNormParts), and so does mixed
// precision (float16 operands; the fused training ops read float32 only;
// without split BN as one group finished on the device, batchNormOneGroup).
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
		if t.mixed {
			t.batchNormInferParts(x, y, bn, gamma, beta, p)
		} else {
			t.b.BatchNormForwardInfer(y.Value, x.Value, gamma, beta, bn.RunningMean.Value, bn.RunningVar.Value, p)
		}
		t.consumed(x)
		return y
	}
	if t.par.splitBN() || t.mixed {
		// Mixed precision: the parts take float16 operands where the
		// fused ops read float32 only, and both storages take them so
		// that they give the same bits on the CPU.
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
	t.b.BatchNormForwardTrain(y.Value, x.Value, gamma, beta, runMean, runVar, mean, invStd, p)
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
		t.b.BatchNormBackward(dx, dg, db, dy, x.Value, yv, gamma, mean, invStd, p)
		doneG()
		doneB()
		doneX()
	}})
	t.consumed(x)
	return y
}

// batchNormInferParts is eval-mode BatchNormOp in mixed precision:
// BatchNormApply, which takes float16 x and y where the fused
// BatchNormForwardInfer reads float32 only, with the running mean and
// invStd = 1/sqrt(running var + eps) from BatchNormInvStd on the device
// (no host round trip per layer; on the CPU in float64 rounded to float32,
// the bits the host computed before), the same ops for both storages so
// that they give the same bits on the CPU.
func (t *Tape) batchNormInferParts(x, y *Var, bn *BatchNorm, gamma, beta *engine.Tensor, p engine.BatchNormParams) {
	invStd := t.pool.Get(p.C)
	t.b.BatchNormInvStd(invStd, bn.RunningVar.Value, p)
	t.b.BatchNormApply(y.Value, x.Value, gamma, beta, bn.RunningMean.Value, invStd, 1, p)
	t.pool.Put(invStd)
	t.half(y.Value)
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
