package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// NTXent: the backend's NTXentForwardBackward (loss, top1, dz; and forward
// only) against the full-matrix cpu reference, for 2N in {2, 6, 34, 256,
// 1030}, d in {1, 3, 128, 130}, tau 0.1 and 0.5 (the largest sizes on fewer
// combinations to keep lavapipe CI short). z = normalised Gaussian rows, with
// the positive of each view correlated with it so that top1 is neither 0
// nor 1. top1 may differ by one row: a positive that ties its best negative
// to the last bit can flip with the summation order of the dot products.

type ntxentCase struct {
	rows, d int
	tau     float32
}

func ntxentCases() []ntxentCase {
	var cs []ntxentCase
	for _, rows := range []int{2, 6, 34, 256} {
		for _, d := range []int{1, 3, 128, 130} {
			for _, tau := range []float32{0.1, 0.5} {
				cs = append(cs, ntxentCase{rows, d, tau})
			}
		}
	}
	return append(cs, ntxentCase{1030, 3, 0.1}, ntxentCase{1030, 130, 0.5}, ntxentCase{1030, 1, 0.5})
}

// NTXentInput returns z (rows, d) with unit rows where view i+N is view i
// plus noise of the given strength (0: identical views).
func NTXentInput(rng *rand.Rand, rows, d int, noise float64) []float32 {
	half := rows / 2
	x := make([]float32, rows*d)
	for i := 0; i < half; i++ {
		for j := 0; j < d; j++ {
			v := rng.NormFloat64()
			x[i*d+j] = float32(v)
			x[(i+half)*d+j] = float32(v + noise*rng.NormFloat64())
		}
	}
	z, norm := make([]float32, rows*d), make([]float32, rows)
	cpu.L2NormalizeForward(z, norm, x, rows, d)
	return z
}

func init() {
	register("NTXent", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(14))
		for _, c := range ntxentCases() {
			t.Run(fmt.Sprintf("rows%d_d%d_tau%g", c.rows, c.d, c.tau), func(t *testing.T) {
				z := NTXentInput(rng, c.rows, c.d, 1.5)
				out, dz := make([]float32, 2), make([]float32, c.rows*c.d)
				cpu.NTXentForwardBackward(dz, out, z, c.rows, c.d, c.tau)
				zt := Upload(b, z, c.rows, c.d)
				ot, dzt := guardOut(b, nil, 2), guardOut(b, nil, c.rows, c.d)
				b.NTXentForwardBackward(dzt.t, ot.t, zt, c.tau)
				got := ot.done(t, b, "out")
				top1Tol := Tol{Atol: 1.01 / float64(c.rows)}
				Close(t, "NTXent loss", got[:1], out[:1], Tol{Atol: 1e-5, Rtol: 1e-5})
				Close(t, "NTXent top1", got[1:], out[1:], top1Tol)
				Close(t, "NTXent dz", dzt.done(t, b, "dz"), dz, NTXentGradTol(c.rows, c.tau))

				ot = guardOut(b, nil, 2)
				b.NTXentForwardBackward(nil, ot.t, zt, c.tau)
				got = ot.done(t, b, "out")
				Close(t, "NTXent loss (forward only)", got[:1], out[:1], Tol{Atol: 1e-5, Rtol: 1e-5})
				Close(t, "NTXent top1 (forward only)", got[1:], out[1:], top1Tol)
				zt.Release()
			})
		}
	})
}

// NTXentGradTol is the tolerance of dz: its entries are sums of 2N terms of
// size up to 1/(2N tau), so the absolute error is relative to 1/tau/2N.
func NTXentGradTol(rows int, tau float32) Tol {
	return Tol{Atol: 2e-6 / (float64(tau) * math.Sqrt(float64(rows))), Rtol: 1e-4}
}
