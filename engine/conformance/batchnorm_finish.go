package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// BatchNormFinish: the one-group finishing ops of batch norm in parts
// (BatchNormFinish, BatchNormBackwardFinish) and eval mode's
// BatchNormInvStd against the cpu references on
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
					testBatchNormInvStd(t, b, rng, p)
				})
			}
		}
		t.Run("Refuse", func(t *testing.T) { testBatchNormFinishRefuse(t, b) })
	})
}

// testBatchNormFinishRefuse: the finishing ops refuse, with a panic naming
// the op and the operand or the shape, what their kernels would turn into
// an index out of range or a NaN: a nil required operand (only runMean and
// runVar together, and dgamma and dbeta, are optional), and running
// statistics from one value per channel (M2/(m-1) = 0/0; the fused
// BatchNormForwardTrain refuses it too). One value per channel without the
// running statistics is fine (invStd = 1/sqrt(eps) for M2 = 0).
func testBatchNormFinishRefuse(t *testing.T, b engine.Backend) {
	one := engine.BatchNormParams{N: 1, C: 3, HW: 1, Eps: 1e-5, Momentum: 0.1}
	p := engine.BatchNormParams{N: 2, C: 3, HW: 4, Eps: 1e-5, Momentum: 0.1}
	v := func() *engine.Tensor { return Upload(b, make([]float32, 3), 3) }
	pair := func() *engine.Tensor { return Upload(b, []float32{0, 0, 1, 0, 2, 0}, 3, 2) }
	mean, invStd, rm, rv, stats, means := v(), v(), v(), v(), pair(), pair()
	for _, x := range []*engine.Tensor{mean, invStd, rm, rv, stats, means} {
		defer x.Release()
	}
	for _, c := range []struct {
		name string
		run  func()
		want []string // "" panics: none wanted
	}{
		{"one value, running", func() { b.BatchNormFinish(mean, invStd, rm, rv, stats, one) },
			[]string{"BatchNormFinish", "need more than 1 value per channel", "N 1, HW 1"}},
		{"one value, no running", func() { b.BatchNormFinish(mean, invStd, nil, nil, stats, one) }, nil},
		{"mean nil", func() { b.BatchNormFinish(nil, invStd, rm, rv, stats, p) }, []string{"BatchNormFinish", "mean is nil"}},
		{"invStd nil", func() { b.BatchNormFinish(mean, nil, nil, nil, stats, p) }, []string{"BatchNormFinish", "invStd is nil"}},
		{"stats nil", func() { b.BatchNormFinish(mean, invStd, nil, nil, nil, p) }, []string{"BatchNormFinish", "stats is nil"}},
		{"runVar nil only", func() { b.BatchNormFinish(mean, invStd, rm, nil, stats, p) }, []string{"BatchNormFinish", "runMean and runVar"}},
		{"means nil", func() { b.BatchNormBackwardFinish(mean, invStd, nil, stats, p) }, []string{"BatchNormBackwardFinish", "means is nil"}},
		{"sums nil", func() { b.BatchNormBackwardFinish(nil, nil, means, nil, p) }, []string{"BatchNormBackwardFinish", "sums is nil"}},
		{"grads nil", func() { b.BatchNormBackwardFinish(nil, nil, means, stats, p) }, nil},
		{"invStd of runVar nil", func() { b.BatchNormInvStd(nil, rv, p) }, []string{"BatchNormInvStd", "invStd is nil"}},
		{"runVar of invStd nil", func() { b.BatchNormInvStd(invStd, nil, p) }, []string{"BatchNormInvStd", "runVar is nil"}},
	} {
		msg := panicOf(c.run)
		if msg == "<nil>" {
			msg = ""
		}
		if c.want == nil && msg != "" {
			t.Errorf("%s: panics %q, want it to run", c.name, msg)
		}
		if c.want != nil && msg == "" {
			t.Errorf("%s: ran, want a panic naming %q", c.name, c.want)
		}
		for _, w := range c.want {
			if msg != "" && !strings.Contains(msg, w) {
				t.Errorf("%s: panic %q does not name %q", c.name, msg, w)
			}
		}
	}
	if err := b.Err(); err != nil {
		t.Fatalf("backend error after the refusals: %v", err)
	}
}

// panicOf runs f and returns its panic message, "<nil>" when it returned.
func panicOf(f func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	f()
	return
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

// testBatchNormInvStd checks BatchNormInvStd on running variances over
// eight orders of magnitude, a zero one (1/sqrt(eps)) included.
func testBatchNormInvStd(t *testing.T, b engine.Backend, rng *rand.Rand, p engine.BatchNormParams) {
	v := Rand(rng, p.C, -4, 4)
	for i := range v {
		v[i] = float32(math.Pow(10, float64(v[i])))
	}
	v[0] = 0
	want := make([]float32, p.C)
	cpu.BatchNormInvStd(want, v, p.Eps)
	rv := Upload(b, v, p.C)
	defer rv.Release()
	it := guardOut(b, nil, p.C)
	b.BatchNormInvStd(it.t, rv, p)
	Close(t, "BatchNormInvStd invStd", it.done(t, b, "invStd"), want, bnFinishTol)
	Close(t, "BatchNormInvStd runVar (read only)", Download(t, b, rv), v, exact)
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
