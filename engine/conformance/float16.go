package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Float16 storage (ToFloat16, FromFloat16) against the cpu references, bit
// for bit: values over binary16's whole range and past it (normals,
// subnormals, ties, overflow, ±0, ±Inf, NaN) on awkward lengths (odd ones
// leave half of the last word empty), outputs between guards, and
// FromFloat16 on every kind of binary16 pattern.

var float16Sizes = []int{1, 2, 3, 13, 127, 4097, 100003, 262147} // the last: the CPU backend's parallel path

// float16Inputs returns n values of random sign and magnitude 2^-27 to
// 2^17, with specials and exact binary16 midpoints mixed in.
func float16Inputs(rng *rand.Rand, n int) []float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		65504, 65519.99, 65520, 1 + 1.0/2048, 1 + 3.0/2048, 0x1p-24, 0x1p-25, 0x1.8p-24, 0x1p-14, 0x1.ffcp-15}
	x := make([]float32, n)
	for i := range x {
		if i%7 == 3 {
			x[i] = specials[rng.Intn(len(specials))]
			continue
		}
		x[i] = float32(math.Ldexp(rng.Float64()+0.5, rng.Intn(45)-27))
		if rng.Intn(2) == 0 {
			x[i] = -x[i]
		}
	}
	return x
}

// sameBits fails the test unless got and want hold the same bit patterns.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %#08x, want %#08x", what, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
	}
}

func init() {
	register("Float16", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(18))
		for _, n := range float16Sizes {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				words := (n + 1) / 2
				x := float16Inputs(rng, n)
				xt := Upload(b, x, n)
				defer xt.Release()

				want := make([]float32, words)
				cpu.ToFloat16(want, x)
				g := guardOut(b, nil, words)
				b.ToFloat16(g.t, xt)
				sameBits(t, "ToFloat16", g.done(t, b, "ToFloat16"), want)

				// FromFloat16 of ToFloat16's words, then of random words:
				// every kind of pattern, NaN payloads and subnormals included.
				raw := make([]float32, words)
				for i := range raw {
					raw[i] = math.Float32frombits(rng.Uint32())
				}
				for _, src := range [][]float32{want, raw} {
					back := make([]float32, n)
					cpu.FromFloat16(back, src)
					st := Upload(b, src, words)
					g = guardOut(b, nil, n)
					b.FromFloat16(g.t, st)
					sameBits(t, "FromFloat16", g.done(t, b, "FromFloat16"), back)
					st.Release()
				}
			})
		}
	})
}
