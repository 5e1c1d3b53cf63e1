package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"simclr-vk/engine"
)

type family struct {
	name string
	run  func(t *testing.T, b engine.Backend)
}

var families []family

// register adds an op family to the suite; call it from an init function.
func register(name string, run func(t *testing.T, b engine.Backend)) {
	families = append(families, family{name, run})
}

// Run runs every registered op family against b as subtests of
// t.Run("Conformance", ...). After each family it checks b.Flush() and that
// no tensor leaked.
func Run(t *testing.T, b engine.Backend) {
	RunFamilies(t, b, Families()...)
}

// Families lists the registered op families, sorted.
func Families() []string {
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = f.name
	}
	sort.Strings(names)
	return names
}

// RunFamilies is Run restricted to the named families, for rerunning one
// family under another configuration (a forced kernel variant, say); an
// unknown name fails the test.
func RunFamilies(t *testing.T, b engine.Backend, names ...string) {
	sort.Slice(families, func(i, j int) bool { return families[i].name < families[j].name })
	keep := map[string]bool{}
	for _, n := range names {
		keep[n] = true
	}
	for _, n := range names {
		if !slices.ContainsFunc(families, func(f family) bool { return f.name == n }) {
			t.Errorf("conformance: no op family %q (have %v)", n, Families())
		}
	}
	t.Run("Conformance", func(t *testing.T) {
		for _, f := range families {
			if !keep[f.name] {
				continue
			}
			t.Run(f.name, func(t *testing.T) {
				before := b.MemStats().Tensors
				f.run(t, b)
				if err := b.Flush(); err != nil {
					t.Fatalf("%s: Flush: %v", f.name, err)
				}
				if after := b.MemStats().Tensors; after != before {
					t.Errorf("%s: %d tensors leaked", f.name, after-before)
				}
			})
		}
	})
}

// Tol is an absolute + relative tolerance.
type Tol struct{ Atol, Rtol float64 }

// Close reports the first mismatches of got against want through t.Errorf
// and returns false if any element differs by more than atol + rtol*|want|
// (NaN and Inf must match exactly).
func Close(t testing.TB, what string, got, want []float32, tol Tol) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d values, want %d", what, len(got), len(want))
		return false
	}
	var bad []string
	nbad := 0
	worst := 0.0
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		ok := false
		switch {
		case math.IsNaN(w) || math.IsNaN(g):
			ok = math.IsNaN(w) && math.IsNaN(g)
		case math.IsInf(w, 0) || math.IsInf(g, 0):
			ok = g == w
		default:
			d := math.Abs(g - w)
			ok = d <= tol.Atol+tol.Rtol*math.Abs(w)
			if d > worst {
				worst = d
			}
		}
		if !ok {
			nbad++
			if len(bad) < 8 {
				bad = append(bad, fmt.Sprintf("  [%d] got %.8g want %.8g (diff %.3g)", i, g, w, g-w))
			}
		}
	}
	if nbad > 0 {
		t.Errorf("%s: %d of %d values differ beyond atol %g + rtol %g*|want| (max abs diff %.3g); first:\n%s",
			what, nbad, len(want), tol.Atol, tol.Rtol, worst, strings.Join(bad, "\n"))
		return false
	}
	return true
}

// Rand returns n uniform values in [lo, hi) from a seeded generator.
func Rand(rng *rand.Rand, n int, lo, hi float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float32()
	}
	return v
}

// ties snaps x to multiples of 1/4 in place, so that max pooling meets
// equal values in its windows (the first one's index must win).
func ties(x []float32) []float32 {
	for i := range x {
		x[i] = float32(math.Round(float64(x[i])*4) / 4)
	}
	return x
}

// poison fills c with NaN: an output operand that beta = 0 says to
// ignore, so any read of it shows in the result.
func poison(c []float32) {
	for i := range c {
		c[i] = float32(math.NaN())
	}
}

// Upload allocates a tensor of the given shape on b holding data.
func Upload(b engine.Backend, data []float32, shape ...int) *engine.Tensor {
	t := b.New(shape...)
	b.Upload(t, data)
	return t
}

// Download returns t's contents, failing the test on a backend error.
func Download(t testing.TB, b engine.Backend, x *engine.Tensor) []float32 {
	t.Helper()
	out := make([]float32, x.Numel())
	if err := b.Download(x, out); err != nil {
		t.Fatalf("download %v: %v", x, err)
	}
	return out
}

// Sentinel fills guard tensors allocated around an op's output; a backend
// that can place tensors back to back (Vulkan's sub-allocator) checks them
// untouched after the op.
const Sentinel = float32(-12345.5)

// matmulRound returns x as backend b's matrix products see it: rounded
// where b is an engine.MatmulRounder with a rounding (a copy), else x
// itself. The references of Gemm and the convolutions take rounded
// inputs, so the comparison keeps float32 tolerances.
func matmulRound(b engine.Backend, x []float32) []float32 {
	r, ok := b.(engine.MatmulRounder)
	if !ok || r.MatmulInputRounding() == nil {
		return x
	}
	f := r.MatmulInputRounding()
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = f(v)
	}
	return out
}

// matmulTol widens tol for a backend that rounds its product inputs:
// float16 inputs below 2^-14 may be flushed to zero by the device (Vulkan
// allows it), an error up to 2^-14 per product of values <= 1, counted
// for about two such products per output.
func matmulTol(b engine.Backend, tol Tol) Tol {
	if r, ok := b.(engine.MatmulRounder); ok && r.MatmulInputRounding() != nil {
		tol.Atol += 2 * math.Ldexp(1, -14)
	}
	return tol
}
