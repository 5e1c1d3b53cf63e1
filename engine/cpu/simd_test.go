package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// simdInputs returns n values in [-2, 2) with a few specials (NaN, +-Inf,
// +-0) where special is set.
func simdInputs(rng *rand.Rand, n int, special bool) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 4*rng.Float32() - 2
	}
	if special {
		sp := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}
		for i, s := range sp {
			v[(i*37)%n] = s
		}
	}
	return v
}

// sameValues reports whether a and b hold the same values, NaN equal to
// NaN and -0 equal to +0 (the only difference the AVX2 kernels allow).
func sameValues(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		g, w := got[i], want[i]
		if g != w && !(g != g && w != w) {
			t.Fatalf("%s: [%d] = %v, Go loop %v", what, i, g, w)
		}
	}
}

// TestSIMDKernelsMatchGo checks the AVX2 kernels against the Go loops on
// lengths with and without a tail: bit-identical values for the
// elementwise ones, rounding-level differences for the float64 sums.
func TestSIMDKernelsMatchGo(t *testing.T) {
	if !simdOK {
		t.Skip("no AVX2 kernels on this machine or build")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{simdMinLen, 71, 200, 787} {
		for _, special := range []bool{false, true} {
			x, y, g := simdInputs(rng, n, special), simdInputs(rng, n, special), simdInputs(rng, n, false)
			got, want := make([]float32, n), make([]float32, n)

			addFast(got, x, y)
			Add(want, x, y)
			sameValues(t, "Add", got, want)
			reluForwardFast(got, x)
			reluForwardGo(want, x)
			sameValues(t, "ReLU", got, want)
			addReLUFast(got, x, y)
			AddReLU(want, x, y)
			sameValues(t, "AddReLU", got, want)
			reluBackwardFast(got, g, y)
			reluBackwardGo(want, g, y)
			sameValues(t, "ReLUBackward", got, want)
			for _, relu := range []bool{false, true} {
				bnApplyPlane(got, x, 1.5, -0.25, relu)
				bnApplyPlaneGo(want, x, 1.5, -0.25, relu)
				sameValues(t, "bnApplyPlane", got, want)
			}
			for _, mask := range [][]float32{nil, y} {
				bnDxPlane(got, g, x, mask, 0.7, 0.3, -0.1, 0.05)
				bnDxPlaneGo(want, g, x, mask, 0.7, 0.3, -0.1, 0.05)
				sameValues(t, "bnDxPlane", got, want)
			}
			if special {
				continue
			}
			s, q := bnPlaneStats(x, 0.5)
			ws, wq := bnPlaneStatsGo(x, 0.5)
			closeSum(t, "bnPlaneStats sum", s, ws, n)
			closeSum(t, "bnPlaneStats squares", q, wq, n)
			for _, mask := range [][]float32{nil, y} {
				a, b := bnBackPlaneSums(g, x, mask, 0.1)
				wa, wb := bnBackPlaneSumsGo(g, x, mask, 0.1)
				closeSum(t, "bnBackPlaneSums g", a, wa, n)
				closeSum(t, "bnBackPlaneSums g*(x-mean)", b, wb, n)
			}
		}
	}
}

// closeSum fails unless float64 sums of n terms of size about 1 agree to
// rounding.
func closeSum(t *testing.T, what string, got, want float64, n int) {
	t.Helper()
	if math.Abs(got-want) > 1e-12*float64(n) {
		t.Fatalf("%s over %d: %v, Go loop %v", what, n, got, want)
	}
}
