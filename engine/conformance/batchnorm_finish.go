package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// BatchNormFinish: the one-group finishing ops of batch norm in parts
// (BatchNormFinish, BatchNormBackwardFinish) against the cpu references on
// awkward channel counts (1, 3, 13, 127, 257: one channel, fewer than a
// workgroup, one past a multiple of 64 and of 128), with and without the
// running statistics and the optional gradients; a binding the kernel
// must leave alone (the placeholders) is checked unchanged. Tolerance: the
// copies (mean, dgamma, dbeta) exact; invStd, the running statistics and
// the means within 1e-6 relative (+1e-7 absolute): a backend may compute
// in float32 what the reference computes in float64 and rounds once, a
// few ulps apart.

var bnFinishTol = Tol{Atol: 1e-7, Rtol: 1e-6}

func init() {
	register("BatchNormFinish", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(18))
		for _, s := range [][3]int{{2, 1, 1}, {4, 3, 7}, {6, 13, 16}, {8, 127, 49}, {2, 257, 4}} { // N, C, HW
			for _, opt := range []bool{true, false} {
				p := engine.BatchNormParams{N: s[0], C: s[1], HW: s[2], Eps: 1e-5, Momentum: 0.1}
				t.Run(fmt.Sprintf("N%d_C%d_HW%d_%v", s[0], s[1], s[2], opt), func(t *testing.T) {
					testBatchNormFinish(t, b, rng, p, opt)
					testBatchNormBackwardFinish(t, b, rng, p, opt)
				})
			}
		}
	})
}

// testBatchNormFinish checks BatchNormFinish, updating the running
// statistics when running is set.
func testBatchNormFinish(t *testing.T, b engine.Backend, rng *rand.Rand, p engine.BatchNormParams, running bool) {
	c, m := p.C, p.N*p.HW
	stats := Rand(rng, 2*c, -2, 2)
	for ch := 0; ch < c; ch++ {
		stats[2*ch+1] = float32(m) * Rand(rng, 1, 0, 3)[0] // M2 >= 0
	}
	stats[1] = 0 // a constant channel: invStd = 1/sqrt(eps)
	mean, invStd := make([]float32, c), make([]float32, c)
	var rm, rv []float32
	var rmt, rvt guarded
	var rmT, rvT *engine.Tensor
	if running {
		rm, rv = Rand(rng, c, -1, 1), Rand(rng, c, 0.5, 2)
		rmt, rvt = guardOut(b, rm, c), guardOut(b, rv, c)
		rmT, rvT = rmt.t, rvt.t
		rm, rv = append([]float32(nil), rm...), append([]float32(nil), rv...)
	}
	cpu.BatchNormFinish(mean, invStd, rm, rv, stats, c, m, p.Eps, p.Momentum)
	st := Upload(b, stats, c, 2)
	defer st.Release()
	mt, it := guardOut(b, nil, c), guardOut(b, nil, c)
	b.BatchNormFinish(mt.t, it.t, rmT, rvT, st, p)
	Close(t, "BatchNormFinish mean", mt.done(t, b, "mean"), mean, exact)
	Close(t, "BatchNormFinish invStd", it.done(t, b, "invStd"), invStd, bnFinishTol)
	if running {
		Close(t, "BatchNormFinish runMean", rmt.done(t, b, "runMean"), rm, bnFinishTol)
		Close(t, "BatchNormFinish runVar", rvt.done(t, b, "runVar"), rv, bnFinishTol)
	}
	Close(t, "BatchNormFinish stats (read only)", Download(t, b, st), stats, exact)
}

// testBatchNormBackwardFinish checks BatchNormBackwardFinish, writing
// dgamma and dbeta when grads is set (none otherwise).
func testBatchNormBackwardFinish(t *testing.T, b engine.Backend, rng *rand.Rand, p engine.BatchNormParams, grads bool) {
	c, m := p.C, p.N*p.HW
	sums := Rand(rng, 2*c, -5, 5)
	means := make([]float32, 2*c)
	var dg, db []float32
	var dgt, dbt guarded
	var dgT, dbT *engine.Tensor
	if grads {
		dg, db = make([]float32, c), make([]float32, c)
		dgt, dbt = guardOut(b, nil, c), guardOut(b, nil, c)
		dgT, dbT = dgt.t, dbt.t
	}
	cpu.BatchNormBackwardFinish(dg, db, means, sums, c, m)
	st := Upload(b, sums, c, 2)
	defer st.Release()
	mt := guardOut(b, nil, c, 2)
	b.BatchNormBackwardFinish(dgT, dbT, mt.t, st, p)
	Close(t, "BatchNormBackwardFinish means", mt.done(t, b, "means"), means, bnFinishTol)
	if grads {
		Close(t, "BatchNormBackwardFinish dgamma", dgt.done(t, b, "dgamma"), dg, exact)
		Close(t, "BatchNormBackwardFinish dbeta", dbt.done(t, b, "dbeta"), db, exact)
	}
	Close(t, "BatchNormBackwardFinish sums (read only)", Download(t, b, st), sums, exact)
}
