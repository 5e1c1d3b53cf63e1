package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// BatchNorm: training forward (output, saved statistics, running
// statistics), inference forward and backward against the cpu references,
// per (N, C, HW) shape and per variant: affine or not, no-beta (the
// projection head's last BN), fused ReLU. The backward takes its saved
// statistics and y from the CPU reference, so it is checked on its own.

var bnShapes = [][3]int{ // N, C, HW
	{3, 3, 1}, {1, 13, 49}, {3, 13, 1}, {3, 64, 49}, {1, 3, 785}, {3, 13, 17},
}

type bnVariant struct {
	name        string
	gamma, beta bool
	relu        bool
}

var bnVariants = []bnVariant{
	{"affine_relu", true, true, true},
	{"affine", true, true, false},
	{"nobeta", true, false, false},
	{"plain", false, false, false},
	{"plain_relu", false, false, true},
}

// bnTol: float32 reductions over m = N*HW values on a device against the
// float64 CPU statistics.
func bnTol(m int) Tol { return Tol{Atol: 2e-6 + 5e-8*float64(m), Rtol: 5e-5} }

func init() {
	register("BatchNorm", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(11))
		for _, s := range bnShapes {
			n, c, hw := s[0], s[1], s[2]
			for _, v := range bnVariants {
				t.Run(fmt.Sprintf("N%d_C%d_HW%d_%s", n, c, hw, v.name), func(t *testing.T) {
					testBatchNorm(t, b, rng, n, c, hw, v)
				})
			}
		}
	})
}

func testBatchNorm(t *testing.T, b engine.Backend, rng *rand.Rand, n, c, hw int, v bnVariant) {
	p := engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, Momentum: 0.1, ReLU: v.relu}
	size := n * c * hw
	tol := bnTol(n * hw)
	x := Rand(rng, size, -1, 3) // non-zero mean
	gamma, beta, gt, bt := bnAffine(t, b, rng, c, v)
	rm0, rv0 := Rand(rng, c, -0.2, 0.2), Rand(rng, c, 0.5, 2)
	xt := Upload(b, x, n, c, hw)
	defer xt.Release()

	// Reference forward (train), then the backend's.
	y := make([]float32, size)
	rm, rv := append([]float32(nil), rm0...), append([]float32(nil), rv0...)
	sm, si := make([]float32, c), make([]float32, c)
	cpu.BatchNormForwardTrain(y, x, gamma, beta, rm, rv, sm, si, n, c, hw, p.Eps, p.Momentum, p.ReLU)

	if n*hw > 1 {
		rmt, rvt := Upload(b, rm0, c), Upload(b, rv0, c)
		smt, sit := guardOut(b, nil, c), guardOut(b, nil, c)
		yt := guardOut(b, nil, n, c, hw)
		b.BatchNormForwardTrain(yt.t, xt, gt, bt, rmt, rvt, smt.t, sit.t, p)
		Close(t, "BatchNormForwardTrain y", yt.done(t, b, "y"), y, tol)
		Close(t, "BatchNormForwardTrain saveMean", smt.done(t, b, "saveMean"), sm, tol)
		Close(t, "BatchNormForwardTrain saveInvStd", sit.done(t, b, "saveInvStd"), si, tol)
		Close(t, "BatchNormForwardTrain runMean", Download(t, b, rmt), rm, tol)
		Close(t, "BatchNormForwardTrain runVar", Download(t, b, rvt), rv, tol)
		rmt.Release()
		rvt.Release()
	}

	// Inference with the (random) running statistics.
	{
		want := make([]float32, size)
		cpu.BatchNormForwardInfer(want, x, gamma, beta, rm0, rv0, n, c, hw, p.Eps, p.ReLU)
		rmt, rvt := Upload(b, rm0, c), Upload(b, rv0, c)
		yt := guardOut(b, nil, n, c, hw)
		b.BatchNormForwardInfer(yt.t, xt, gt, bt, rmt, rvt, p)
		Close(t, "BatchNormForwardInfer y", yt.done(t, b, "y"), want, Tol{Atol: 1e-6, Rtol: 1e-5})
		rmt.Release()
		rvt.Release()
	}

	if n*hw == 1 {
		return
	}
	// Backward from the reference forward's y and saved statistics.
	dy := Rand(rng, size, -1, 1)
	dx := make([]float32, size)
	var dg, db []float32
	if v.gamma {
		dg = make([]float32, c)
	}
	if v.beta {
		db = make([]float32, c)
	}
	cpu.BatchNormBackward(dx, dg, db, dy, x, y, gamma, sm, si, n, c, hw, p.ReLU)
	dyt, yt := Upload(b, dy, n, c, hw), Upload(b, y, n, c, hw)
	smt, sit := Upload(b, sm, c), Upload(b, si, c)
	dxt := guardOut(b, nil, n, c, hw)
	var dgt, dbt guarded
	if v.gamma {
		dgt = guardOut(b, nil, c)
	}
	if v.beta {
		dbt = guardOut(b, nil, c)
	}
	b.BatchNormBackward(dxt.t, dgt.t, dbt.t, dyt, xt, yt, gt, smt, sit, p)
	Close(t, "BatchNormBackward dx", dxt.done(t, b, "dx"), dx, tol)
	if v.gamma {
		Close(t, "BatchNormBackward dgamma", dgt.done(t, b, "dgamma"), dg, tol)
	}
	if v.beta {
		Close(t, "BatchNormBackward dbeta", dbt.done(t, b, "dbeta"), db, tol)
	}
	for _, x := range []*engine.Tensor{dyt, yt, smt, sit} {
		x.Release()
	}
}

// bnAffine draws the variant's gamma and beta (nil where the variant has
// none) and uploads them, released when the test ends.
func bnAffine(t *testing.T, b engine.Backend, rng *rand.Rand, c int, v bnVariant) (gamma, beta []float32, gt, bt *engine.Tensor) {
	if v.gamma {
		gamma = Rand(rng, c, 0.5, 1.5)
		gt = Upload(b, gamma, c)
		t.Cleanup(gt.Release)
	}
	if v.beta {
		beta = Rand(rng, c, -0.5, 0.5)
		bt = Upload(b, beta, c)
		t.Cleanup(bt.Release)
	}
	return gamma, beta, gt, bt
}

// BatchNormParts: the four ops of batch norm in parts (BatchNormStats,
// BatchNormApply, BatchNormBackwardSums, BatchNormBackwardApply: the
// global batch norm of data-parallel training) against the cpu references,
// per (N, C, HW, groups) shape and variant. Each op takes its inputs from
// the reference of the op before it, so it is checked on its own. Awkward
// sizes: groups of one row, HW 1 (a group's statistics over one value),
// HW not a multiple of 4, channel counts that fill no workgroup.

var bnPartsShapes = [][4]int{ // N, C, HW, groups
	{4, 3, 1, 2}, {6, 13, 17, 3}, {2, 5, 49, 1}, {4, 64, 16, 2}, {3, 7, 785, 1}, {8, 3, 4, 8}, {2, 3, 1, 2},
}

func init() {
	register("BatchNormParts", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(16))
		for _, s := range bnPartsShapes {
			for _, v := range []bnVariant{bnVariants[0], bnVariants[2], bnVariants[4]} {
				t.Run(fmt.Sprintf("N%d_C%d_HW%d_G%d_%s", s[0], s[1], s[2], s[3], v.name), func(t *testing.T) {
					testBatchNormParts(t, b, rng, s[0], s[1], s[2], s[3], v, nil)
				})
			}
		}
	})
}

// testBatchNormParts checks the four ops; with s, on engine.Float16
// tensors for x, y, dy and dx (inputs rounded first, outputs compared with
// the reference's float16 rounding: closeFloat16).
func testBatchNormParts(t *testing.T, b engine.Backend, rng *rand.Rand, n, c, hw, groups int, v bnVariant, s engine.Float16Storer) {
	p := engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, Momentum: 0.1, ReLU: v.relu}
	size, gc, m := n*c*hw, groups*c, n/groups*hw
	tol := bnTol(m)
	sumTol := Tol{Atol: 1e-6 * float64(m), Rtol: 1e-4}
	// The (N, C, HW) tensors: float32, or float16 with s.
	round, up, out, closeX := func(x []float32) []float32 { return x }, Upload, guardOut, Close
	if s != nil {
		round, closeX = rounded, closeFloat16
		up = func(b engine.Backend, data []float32, shape ...int) *engine.Tensor {
			return upload16(s, b, data, shape...)
		}
		out = func(b engine.Backend, _ []float32, shape ...int) guarded { return guardOut16(s, b, size) }
	}
	x := round(Rand(rng, size, -1, 3)) // non-zero mean
	gamma, beta, gt, bt := bnAffine(t, b, rng, c, v)
	xt := up(b, x, n, c, hw)
	defer xt.Release()

	stats := make([]float32, 2*gc)
	cpu.BatchNormStats(stats, x, groups, n, c, hw)
	st := guardOut(b, nil, groups, c, 2)
	b.BatchNormStats(st.t, xt, groups, p)
	Close(t, "BatchNormStats", st.done(t, b, "stats"), stats, Tol{Atol: tol.Atol * float64(m), Rtol: 1e-4})

	mean, invStd := make([]float32, gc), make([]float32, gc)
	cpu.BatchNormFinish(mean, invStd, nil, nil, stats, gc, m, p.Eps, 0)
	y := make([]float32, size)
	cpu.BatchNormApply(y, x, gamma, beta, mean, invStd, groups, n, c, hw, p.ReLU)
	y = round(y)
	mt, it := Upload(b, mean, groups, c), Upload(b, invStd, groups, c)
	defer mt.Release()
	defer it.Release()
	yt := out(b, nil, n, c, hw)
	b.BatchNormApply(yt.t, xt, gt, bt, mt, it, groups, p)
	closeX(t, "BatchNormApply y", yt.done(t, b, "y"), y, Tol{Atol: 1e-6, Rtol: 1e-5})

	dy := round(Rand(rng, size, -1, 1))
	dyt, ytt := up(b, dy, n, c, hw), up(b, y, n, c, hw)
	defer dyt.Release()
	defer ytt.Release()
	sums := make([]float32, 2*gc)
	cpu.BatchNormBackwardSums(sums, dy, x, y, mean, invStd, groups, n, c, hw, p.ReLU)
	sst := guardOut(b, nil, groups, c, 2)
	b.BatchNormBackwardSums(sst.t, dyt, xt, ytt, mt, it, groups, p)
	Close(t, "BatchNormBackwardSums", sst.done(t, b, "sums"), sums, sumTol)

	// The means of a larger (merged) batch: here 3 times this one.
	means := make([]float32, 2*gc)
	for k, s := range sums {
		means[k] = s / float32(3*m)
	}
	dx := make([]float32, size)
	cpu.BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means, groups, n, c, hw, p.ReLU)
	mst := Upload(b, means, groups, c, 2)
	defer mst.Release()
	dxt := out(b, nil, n, c, hw)
	b.BatchNormBackwardApply(dxt.t, dyt, xt, ytt, gt, mt, it, mst, groups, p)
	closeX(t, "BatchNormBackwardApply dx", dxt.done(t, b, "dx"), round(dx), tol)
}
