package cpu

import (
	"math"
	"math/rand"
	"testing"
)

// TestReLUFastMatchesReference: the branch-free kernels give the
// reference's bits, special values included.
func TestReLUFastMatchesReference(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		math.MaxFloat32, -math.MaxFloat32}
	rng := rand.New(rand.NewSource(1))
	x := append([]float32(nil), special...)
	for i := 0; i < 131; i++ {
		x = append(x, float32(rng.NormFloat64()))
	}
	dy := make([]float32, len(x))
	for i := range dy {
		dy[i] = float32(rng.NormFloat64())
	}
	dy[0] = float32(math.NaN())
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s[%d] (x %g): got %g (%#x), want %g (%#x)", what, i, x[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			}
		}
	}
	want, got := make([]float32, len(x)), make([]float32, len(x))
	ReLUForward(want, x)
	reluForwardFast(got, x)
	same("ReLUForward", got, want)
	ReLUBackward(want, dy, x)
	reluBackwardFast(got, dy, x)
	same("ReLUBackward", got, want)
}
