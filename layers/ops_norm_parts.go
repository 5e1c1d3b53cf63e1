package layers

import "simclr-vk/engine"

// batchNormOneGroup is training-mode BatchNormOp through the engine's
// batch-norm-in-parts ops with this process's batch as one group: mixed
// precision without split BN, where the parts take float16 x, y, dy and
// dx. The statistics and the backward sums are finished on the device
// (BatchNormFinish: mean, invStd and the running statistics;
// BatchNormBackwardFinish: dgamma, dbeta and the means the apply reads),
// so the layer costs no host sync; on the CPU they compute what the host
// did before them, bit for bit. y is allocated, the rest as in
// BatchNormOp.
func (t *Tape) batchNormOneGroup(x, y *Var, bn *BatchNorm, gamma, beta *engine.Tensor, p engine.BatchNormParams, relu bool) *Var {
	c := p.C
	stats := t.pool.Get(c, 2)
	t.b.BatchNormStats(stats, x.Value, 1, p)
	mean, invStd := t.pool.Get(c), t.pool.Get(c)
	var runMean, runVar *engine.Tensor // nil: left alone (frozenStats)
	if !t.frozenStats {
		runMean, runVar = bn.RunningMean.Value, bn.RunningVar.Value
		bn.NumBatchesTracked.Count++
	}
	t.b.BatchNormFinish(mean, invStd, runMean, runVar, stats, p)
	t.pool.Put(stats)
	return t.applyBNParts(x, y, bn, gamma, beta, mean, invStd, 1, p, relu, func(dy, yv *engine.Tensor) {
		sums, means := t.pool.Get(c, 2), t.pool.Get(c, 2)
		t.b.BatchNormBackwardSums(sums, dy, x.Value, yv, mean, invStd, 1, p)
		dg, doneG := t.optParamGradDst(bn.Gamma)
		db, doneB := t.optParamGradDst(bn.Beta)
		t.b.BatchNormBackwardFinish(dg, db, means, sums, p)
		doneG()
		doneB()
		t.pool.Put(sums)
		dx, doneX := t.bnGradX(x)
		t.b.BatchNormBackwardApply(dx, dy, x.Value, yv, gamma, mean, invStd, means, 1, p)
		doneX()
		t.pool.Put(means)
	})
}

// applyBNParts normalises x into y with the statistics mean, invStd
// (groups, C) (BatchNormApply) and records the backward of batch norm in
// parts: back gets dy and the y the backward parts read (nil without
// relu). mean and invStd are released with the entry.
func (t *Tape) applyBNParts(x, y *Var, bn *BatchNorm, gamma, beta, mean, invStd *engine.Tensor, groups int, p engine.BatchNormParams, relu bool, back func(dy, yv *engine.Tensor)) *Var {
	t.b.BatchNormApply(y.Value, x.Value, gamma, beta, mean, invStd, groups, p)
	t.half(y.Value)
	saved := []*Var{x}
	if relu {
		saved = append(saved, y)
	}
	t.push(entry{op: "BatchNorm " + bn.Name + " (parts)", out: y, saved: saved, scratch: []*engine.Tensor{mean, invStd}, params: []*Param{bn.Gamma, bn.Beta}, backward: func(dy *engine.Tensor) {
		yv := y.Value
		if !relu {
			yv = nil
		}
		back(dy, yv)
	}})
	t.consumed(x)
	return y
}

// optParamGradDst is paramGradDst for a parameter a layer may lack (nil:
// no destination, nothing to finish).
func (t *Tape) optParamGradDst(p *Param) (*engine.Tensor, func()) {
	if p == nil {
		return nil, func() {}
	}
	return t.paramGradDst(p)
}
