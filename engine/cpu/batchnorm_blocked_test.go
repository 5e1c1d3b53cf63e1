package cpu

import (
	"math/rand"
	"slices"
	"testing"

	"simclr-vk/engine"
)

// bnBlockedRun is training batch norm forward and backward (with ReLU) of
// x and dy on a backend of th threads, with x and dy held blocked or not;
// it returns y, dx, dgamma, dbeta, the saved and running statistics and
// the eval-mode y downloaded in NCHW order, and whether y, dx and the
// eval-mode y came out blocked.
func bnBlockedRun(t *testing.T, th int, d nchw, blocked bool, x, dy, gamma, beta []float32) ([][]float32, bool) {
	t.Helper()
	be := New(Options{Threads: th})
	up := func(v []float32, shape ...int) *engine.Tensor {
		tt := be.New(shape...)
		be.Upload(tt, v)
		return tt
	}
	p := engine.BatchNormParams{N: d.n, C: d.c, HW: d.h * d.w, Eps: 1e-5, Momentum: 0.1, ReLU: true}
	xt, dyt := up(x, d.n, d.c, d.h, d.w), up(dy, d.n, d.c, d.h, d.w)
	if blocked {
		toBlocked(xt, d)
		toBlocked(dyt, d)
	}
	g, b := up(gamma, d.c), up(beta, d.c)
	rm, rv, m, is, dg, db := be.New(d.c), be.New(d.c), be.New(d.c), be.New(d.c), be.New(d.c), be.New(d.c)
	y, dx := be.New(d.n, d.c, d.h, d.w), be.New(d.n, d.c, d.h, d.w)
	be.BatchNormForwardTrain(y, xt, g, b, rm, rv, m, is, p)
	be.BatchNormBackward(dx, dg, db, dyt, xt, y, g, m, is, p)
	yi := be.New(d.n, d.c, d.h, d.w) // eval mode, on the running statistics
	be.BatchNormForwardInfer(yi, xt, g, b, rm, rv, p)
	_, yb := isBlocked(y)
	_, dxb := isBlocked(dx)
	_, yib := isBlocked(yi)
	var out [][]float32
	for _, tt := range []*engine.Tensor{y, dx, dg, db, m, is, rm, rv, yi} {
		v := make([]float32, tt.Numel())
		be.Download(tt, v)
		out = append(out, v)
	}
	return out, yb && dxb && yib
}

// TestBlockedBatchNorm: batch norm on blocked activations gives the NCHW
// kernels' results within rounding, bit for bit the same for any thread
// count, and leaves y and dx blocked; so does eval-mode batch norm.
func TestBlockedBatchNorm(t *testing.T) {
	names := []string{"y", "dx", "dgamma", "dbeta", "mean", "invStd", "runMean", "runVar", "eval y"}
	for _, d := range []nchw{{3, 16, 5, 5}, {2, 48, 3, 1}, {4, 32, 2, 3}} {
		rng := rand.New(rand.NewSource(int64(d.c)))
		x := randRange(rng, d.numel(), 2, 5) // a mean far from 0
		dy := randSlice(rng, d.numel())
		gamma, beta := randRange(rng, d.c, 0.5, 1.5), randSlice(rng, d.c)
		want, _ := bnBlockedRun(t, 2, d, false, x, dy, gamma, beta)
		got, blocked := bnBlockedRun(t, 2, d, true, x, dy, gamma, beta)
		if !blocked {
			t.Errorf("%v: y and dx not left blocked", d)
		}
		for i, name := range names {
			checkClose(t, name, got[i], want[i], 1e-5, 1e-4)
		}
		for _, th := range []int{1, 3} {
			other, _ := bnBlockedRun(t, th, d, true, x, dy, gamma, beta)
			for i, name := range names {
				if !slices.Equal(other[i], got[i]) {
					t.Errorf("%v: %s with %d threads differs from 2 threads", d, name, th)
				}
			}
		}
	}
}

// TestBlockedBatchNormKernels: the AVX2 unit kernels against the Go ones
// (the fallback of no-cgo and no-AVX2 builds), bit for bit: products are
// rounded alike and each channel's float64 sums add positions in order.
func TestBlockedBatchNormKernels(t *testing.T) {
	if !simdOK {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	const cb, hw, units = 3, 7, 6 // 2 images of 3 channel blocks
	rng := rand.New(rand.NewSource(9))
	n := units * hw * blockC
	x, g, y := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
	c := cb * blockC
	sc, sh, a, b, cc, mean := randSlice(rng, c), randSlice(rng, c), randSlice(rng, c), randSlice(rng, c), randSlice(rng, c), randSlice(rng, c)
	shift := to64(randSlice(rng, c))
	for _, relu := range []bool{false, true} {
		want, got := make([]float32, n), make([]float32, n)
		bnbApplyGo(want, x, 1, units, cb, hw, sc, sh, relu)
		simdBNBApply(got, x, 1, units, cb, hw, sc, sh, relu)
		if !slices.Equal(got, want) {
			t.Errorf("apply (relu %v): AVX2 differs from Go", relu)
		}
	}
	for _, mask := range [][]float32{nil, y} {
		want, got := make([]float32, n), make([]float32, n)
		bnbDxGo(want, g, x, mask, 0, units, cb, hw, a, b, cc, mean)
		simdBNBDx(got, g, x, mask, 0, units, cb, hw, a, b, cc, mean)
		if !slices.Equal(got, want) {
			t.Errorf("dx (mask %v): AVX2 differs from Go", mask != nil)
		}
		pw, pg := make([]float64, units*2*blockC), make([]float64, units*2*blockC)
		mean64 := make([]float64, len(mean))
		for i, v := range mean {
			mean64[i] = float64(v)
		}
		bnbBackSumsGo(g, x, mask, 0, units, cb, hw, mean64, pw)
		simdBNBBackSums(g, x, mask, 0, units, cb, hw, mean64, pg)
		if !slices.Equal(pg, pw) {
			t.Errorf("backward sums (mask %v): AVX2 differs from Go", mask != nil)
		}
	}
	pw, pg := make([]float64, units*2*blockC), make([]float64, units*2*blockC)
	bnbStatsGo(x, 0, units, cb, hw, shift, pw)
	simdBNBStats(x, 0, units, cb, hw, shift, pg)
	if !slices.Equal(pg, pw) {
		t.Errorf("statistics sums: AVX2 differs from Go")
	}
}
