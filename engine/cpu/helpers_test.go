package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// Helpers shared by the tests of this package (the conformance package
// cannot be imported here: it imports cpu).

// randSlice returns n uniform float32 values in [-1, 1).
func randSlice(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 2*rng.Float32() - 1
	}
	return v
}

// checkClose is checkClose64 against a float32 want.
func checkClose(t testing.TB, what string, got, want []float32, atol, rtol float64) {
	t.Helper()
	checkClose64(t, what, got, to64(want), atol, rtol)
}

// checkClose64 fails t with the first mismatches of got against a float64
// want beyond atol + rtol*|want| (NaN never matches).
func checkClose64(t testing.TB, what string, got []float32, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var bad []string
	nbad, worst := 0, 0.0
	for i := range want {
		d := math.Abs(float64(got[i]) - want[i])
		if math.IsNaN(d) || d > atol+rtol*math.Abs(want[i]) {
			nbad++
			if len(bad) < 6 {
				bad = append(bad, fmt.Sprintf("  [%d] got %.8g want %.8g (diff %.3g)", i, got[i], want[i], float64(got[i])-want[i]))
			}
		}
		if d > worst {
			worst = d
		}
	}
	if nbad > 0 {
		t.Errorf("%s: %d of %d values beyond atol %g + rtol %g*|want| (max diff %.3g):\n%s", what, nbad, len(want), atol, rtol, worst, strings.Join(bad, "\n"))
	}
}

// to64 widens v to float64 (nil stays nil: an absent gamma or beta).
func to64(v []float32) []float64 {
	if v == nil {
		return nil
	}
	o := make([]float64, len(v))
	for i, x := range v {
		o[i] = float64(x)
	}
	return o
}

// zerosIf returns n zeros, or nil when !on (an output not asked for).
func zerosIf(on bool, n int) []float32 {
	if !on {
		return nil
	}
	return make([]float32, n)
}

// randRange returns n uniform values in [lo, hi).
func randRange(rng *rand.Rand, n int, lo, hi float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return v
}

// checkPanics fails t unless fn panics with a message containing want.
func checkPanics(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one containing %q", want)
			return
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, want) {
			t.Errorf("panic %q, want one containing %q", msg, want)
		}
	}()
	fn()
}
