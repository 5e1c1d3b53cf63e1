package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

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
					testBatchNormParts(t, b, rng, s[0], s[1], s[2], s[3], v)
				})
			}
		}
	})
}

func testBatchNormParts(t *testing.T, b engine.Backend, rng *rand.Rand, n, c, hw, groups int, v bnVariant) {
	p := engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, Momentum: 0.1, ReLU: v.relu}
	size, gc, m := n*c*hw, groups*c, n/groups*hw
	tol := bnTol(m)
	sumTol := Tol{Atol: 1e-6 * float64(m), Rtol: 1e-4}
	x := Rand(rng, size, -1, 3) // non-zero mean
	gamma, beta, gt, bt := bnAffine(t, b, rng, c, v)
	xt := Upload(b, x, n, c, hw)
	defer xt.Release()

	stats := make([]float32, 2*gc)
	cpu.BatchNormStats(stats, x, groups, n, c, hw)
	st := guardOut(b, nil, groups, c, 2)
	b.BatchNormStats(st.t, xt, groups, p)
	Close(t, "BatchNormStats", st.done(t, b, "stats"), stats, Tol{Atol: tol.Atol * float64(m), Rtol: 1e-4})

	mean, invStd := make([]float32, gc), make([]float32, gc)
	for k := range mean {
		mean[k] = stats[2*k]
		invStd[k] = float32(1 / math.Sqrt(float64(stats[2*k+1])/float64(m)+float64(p.Eps)))
	}
	y := make([]float32, size)
	cpu.BatchNormApply(y, x, gamma, beta, mean, invStd, groups, n, c, hw, p.ReLU)
	mt, it := Upload(b, mean, groups, c), Upload(b, invStd, groups, c)
	defer mt.Release()
	defer it.Release()
	yt := guardOut(b, nil, n, c, hw)
	b.BatchNormApply(yt.t, xt, gt, bt, mt, it, groups, p)
	Close(t, "BatchNormApply y", yt.done(t, b, "y"), y, Tol{Atol: 1e-6, Rtol: 1e-5})

	dy := Rand(rng, size, -1, 1)
	dyt, ytt := Upload(b, dy, n, c, hw), Upload(b, y, n, c, hw)
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
	dxt := guardOut(b, nil, n, c, hw)
	b.BatchNormBackwardApply(dxt.t, dyt, xt, ytt, gt, mt, it, mst, groups, p)
	Close(t, "BatchNormBackwardApply dx", dxt.done(t, b, "dx"), dx, tol)
}
