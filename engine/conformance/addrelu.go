package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// AddReLU (y = max(a + b, 0), the residual block's end in one pass)
// against cpu.AddReLU, bit for bit: awkward lengths (one past a
// 256-invocation workgroup, the CPU backend's parallel path), sums exactly
// zero and of both signs, y between guards and aliasing a, then b; and on
// a backend with float16 storage, float16 operands (specials included)
// whose y must be max(round(a + b), 0) exactly.

var addReLUSizes = []int{1, 3, 13, 127, 257, 4097, 100003}

// addReLUInputs returns a and b of length n with a[i] = -b[i] every 4th
// element (an exact zero sum) and a zero every 5th.
func addReLUInputs(rng *rand.Rand, n int) (a, b []float32) {
	a, b = Rand(rng, n, -2, 2), Rand(rng, n, -2, 2)
	for i := 0; i < n; i += 4 {
		b[i] = -a[i]
	}
	for i := 2; i < n; i += 5 {
		a[i] = 0
	}
	return a, b
}

func init() {
	register("AddReLU", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(1818))
		for _, n := range addReLUSizes {
			x, y := addReLUInputs(rng, n)
			want := make([]float32, n)
			cpu.AddReLU(want, x, y)
			t.Run(fmt.Sprintf("float32/n=%d", n), func(t *testing.T) {
				xt, yt := Upload(b, x, n), Upload(b, y, n)
				checkAddReLU(t, b, "AddReLU", guardOut(b, nil, n), xt, yt, x, want)
				xt.Release()
				yt.Release()
			})
			t.Run(fmt.Sprintf("float16/n=%d", n), func(t *testing.T) {
				testAddReLU16(t, b, storer16(t, b), rng, n)
			})
		}
	})
}

// testAddReLU16: float16 a (past float16's range, specials) and b; y is
// max(round(a + b), 0) of the float16 values, between guards and aliased.
func testAddReLU16(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand, n int) {
	x := float16Inputs(rng, n)
	y := rounded(Rand(rng, n, -3, 3))
	xh := rounded(x)
	for i := 0; i < n; i += 4 {
		y[i] = -xh[i]
	}
	sum := make([]float32, n)
	cpu.Add(sum, xh, y)
	want := make([]float32, n)
	cpu.ReLUForward(want, rounded(sum))
	xt, yt := upload16(s, b, x, n), upload16(s, b, y, n)
	defer xt.Release()
	defer yt.Release()
	checkAddReLU(t, b, "AddReLU float16", guardOut16(s, b, n), xt, yt, x, want)
}

// checkAddReLU runs AddReLU into the guarded g, then into a (xt) and,
// with a uploaded again from x, into b (yt), and compares each y with
// want bit for bit.
func checkAddReLU(t *testing.T, b engine.Backend, what string, g guarded, xt, yt *engine.Tensor, x, want []float32) {
	t.Helper()
	b.AddReLU(g.t, xt, yt)
	sameBits(t, what, g.done(t, b, what), want)
	b.AddReLU(xt, xt, yt)
	sameBits(t, what+" y=a", Download(t, b, xt), want)
	b.Upload(xt, x)
	b.AddReLU(yt, xt, yt)
	sameBits(t, what+" y=b", Download(t, b, yt), want)
}
