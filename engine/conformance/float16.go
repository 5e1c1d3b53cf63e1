package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Float16 storage (ToFloat16, FromFloat16) and the in-place rounding
// (RoundFloat16) against the cpu references, bit for bit: values over
// binary16's whole range and past it (normals, subnormals, ties, overflow,
// ±0, ±Inf, NaN) on awkward lengths (odd ones leave half of the last word
// empty; RoundFloat16 also on f16StoreSizes: one past a workgroup, and
// past the CPU backend's parallel grain), outputs between guards, and
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
		for _, n := range f16StoreSizes {
			t.Run(fmt.Sprintf("RoundFloat16/%d", n), func(t *testing.T) {
				x := float16Inputs(rng, n)
				for i, bits := range roundPatterns[:min(n, len(roundPatterns))] {
					x[i] = math.Float32frombits(bits)
				}
				want := slices.Clone(x)
				cpu.RoundFloat16(want)
				g := guardOut(b, x, n)
				b.RoundFloat16(g.t)
				sameBits(t, "RoundFloat16", g.done(t, b, "RoundFloat16"), want)
				sameBits(t, "RoundFloat16 reference", want, rounded(x))
			})
		}
	})
}

// Float16Store: the ops that take engine.Float16 tensors
// (engine.Float16Operands) on a backend that stores them
// (engine.Float16Storer), against the cpu references applied to the
// float16 values and rounded as engine.Float16Round. Exact, bit for bit:
// Upload/Download, Fill, Copy in every dtype pair, Add and the ReLUs, where the
// backend and the reference round the same float32 result (an IEEE sum or
// a selection) to float16. Batch norm in parts (BatchNormParts' shapes and
// checks, with x, y, dy and dx float16): the statistics and sums within
// their float32 tolerances, y and dx within theirs plus one float16 step
// (closeFloat16): the device computes in float32 where the reference uses
// float64 in places, and a last float32 bit may move the rounding to the
// next float16. Awkward
// lengths: 1, odd ones (half a word left over), one past a workgroup of
// 256, and one past the CPU backend's parallel grain; outputs between
// guards.

// roundPatterns lead RoundFloat16's inputs (as many as fit): NaNs with a
// sign and a payload, a signalling NaN, -Inf, the largest float32 below
// binary16's smallest normal (rounds up to it), just past 2^-25 (rounds up
// to the smallest subnormal), the last value below 65520 (rounds to
// 65504) and -65520 (a tie: -Inf).
var roundPatterns = []uint32{0xffc00001, 0x7f800001, 0xff800000, 0x387fffff, 0x33000001, 0x477fefff, 0xc77ff000}

var f16StoreSizes = []int{1, 3, 13, 127, 257, 4099, 70001}

// rounded is x as a Float16 tensor holds it.
func rounded(x []float32) []float32 {
	r := make([]float32, len(x))
	for i, v := range x {
		r[i] = engine.Float16Round(v)
	}
	return r
}

// storer16 is b as an engine.Float16Storer, skipping the test where b
// stores no float16 tensors.
func storer16(t *testing.T, b engine.Backend) engine.Float16Storer {
	if err := engine.Float16Support(b); err != nil {
		t.Skipf("no float16 storage: %v", err)
	}
	return b.(engine.Float16Storer)
}

// upload16 is Upload into a new Float16 tensor.
func upload16(s engine.Float16Storer, b engine.Backend, data []float32, shape ...int) *engine.Tensor {
	t := s.NewFloat16(shape...)
	b.Upload(t, data)
	return t
}

// guardOut16 is guardOut with a Float16 output between the float32 guards.
func guardOut16(s engine.Float16Storer, b engine.Backend, n int) guarded {
	g := guarded{lo: Upload(b, sentinels(guardLen), guardLen)}
	g.t = upload16(s, b, sentinels(n), n)
	g.hi = Upload(b, sentinels(guardLen), guardLen)
	return g
}

// registerFloat16 registers a family that needs float16 storage: run gets
// the backend's Float16Storer and a generator seeded with seed; the
// family skips on a backend without float16 storage.
func registerFloat16(name string, seed int64, run func(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand)) {
	register(name, func(t *testing.T, b engine.Backend) {
		run(t, b, storer16(t, b), rand.New(rand.NewSource(seed)))
	})
}

func init() {
	registerFloat16("Float16Store", 1816, func(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand) {
		for _, n := range f16StoreSizes {
			t.Run(fmt.Sprint(n), func(t *testing.T) { testFloat16Elementwise(t, b, s, rng, n) })
		}
		for _, sh := range bnPartsShapes {
			for _, v := range []bnVariant{bnVariants[0], bnVariants[2], bnVariants[4]} {
				t.Run(fmt.Sprintf("BatchNormParts/N%d_C%d_HW%d_G%d_%s", sh[0], sh[1], sh[2], sh[3], v.name), func(t *testing.T) {
					testBatchNormParts(t, b, rng, sh[0], sh[1], sh[2], sh[3], v, s)
				})
			}
		}
		t.Run("BatchNormApply/AllFloat16Values", func(t *testing.T) { testBatchNormValues(t, b, s) })
	})
}

// testBatchNormValues: BatchNormApply of one channel holding every float16
// pattern (a plane of 2^16 values, a multiple of 4: the vec4 loads) with
// mean 0, invStd 1 and no affine gives x back, so each pattern must load
// as engine.Float16Value: subnormals, Inf and NaN included (the
// BatchNormParts inputs are all normal numbers).
func testBatchNormValues(t *testing.T, b engine.Backend, s engine.Float16Storer) {
	const hw = 1 << 16
	p := engine.BatchNormParams{N: 1, C: 1, HW: hw, Eps: 1e-5}
	x := make([]float32, hw)
	for i := range x {
		x[i] = engine.Float16Value(uint16(i))
	}
	xt, mt, it := upload16(s, b, x, 1, 1, hw), Upload(b, []float32{0}, 1, 1), Upload(b, []float32{1}, 1, 1)
	defer xt.Release()
	defer mt.Release()
	defer it.Release()
	want := make([]float32, hw)
	cpu.BatchNormApply(want, x, nil, nil, []float32{0}, []float32{1}, 1, 1, 1, hw, false)
	g := guardOut16(s, b, hw)
	b.BatchNormApply(g.t, xt, nil, nil, mt, it, 1, p)
	Close(t, "BatchNormApply of every float16 value", g.done(t, b, "y"), rounded(want), Tol{})
}

func testFloat16Elementwise(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand, n int) {
	x := float16Inputs(rng, n) // past float16's range, specials, ties
	y := Rand(rng, n, -3, 3)
	xh, yh := rounded(x), rounded(y)

	// Upload rounds, Download is exact; Copy from float32 rounds alike.
	xt := upload16(s, b, x, n)
	defer xt.Release()
	sameBits(t, "Upload+Download float16", Download(t, b, xt), xh)
	x32 := Upload(b, x, n)
	defer x32.Release()
	g := guardOut16(s, b, n)
	b.Copy(g.t, x32)
	sameBits(t, "Copy float32 -> float16", g.done(t, b, "Copy to float16"), xh)
	g = guardOut(b, nil, n)
	b.Copy(g.t, xt)
	sameBits(t, "Copy float16 -> float32", g.done(t, b, "Copy from float16"), xh)
	g = guardOut16(s, b, n)
	b.Copy(g.t, xt)
	sameBits(t, "Copy float16 -> float16", g.done(t, b, "Copy float16"), xh)

	g = guardOut16(s, b, n)
	b.Fill(g.t, x[n/2])
	want := make([]float32, n)
	cpu.Fill(want, engine.Float16Round(x[n/2]))
	sameBits(t, "Fill float16", g.done(t, b, "Fill float16"), want)

	yt := upload16(s, b, y, n)
	defer yt.Release()
	cpu.Add(want, xh, yh)
	g = guardOut16(s, b, n)
	b.Add(g.t, xt, yt)
	sameBits(t, "Add float16", g.done(t, b, "Add float16"), rounded(want))

	cpu.ReLUForward(want, yh)
	g = guardOut16(s, b, n)
	b.ReLUForward(g.t, yt)
	sameBits(t, "ReLUForward float16", g.done(t, b, "ReLUForward float16"), rounded(want))
	cpu.ReLUBackward(want, xh, yh)
	g = guardOut16(s, b, n)
	b.ReLUBackward(g.t, xt, yt)
	sameBits(t, "ReLUBackward float16", g.done(t, b, "ReLUBackward float16"), rounded(want))
}

// closeFloat16 is Close for a float16 output: every value a float16 one
// (the output was rounded), and within tol plus one float16 step (rtol
// 2^-10, atol 2^-24), as a last float32 bit (float32 against float64
// arithmetic, a fused multiply-add) may move the rounding to the next
// float16.
func closeFloat16(t testing.TB, what string, got, want []float32, tol Tol) bool {
	t.Helper()
	for i, v := range got {
		if r := engine.Float16Round(v); r != v && v == v {
			t.Errorf("%s[%d] = %v is no float16 value (nearest %v)", what, i, v, r)
			return false
		}
	}
	return Close(t, what, got, want, Tol{Atol: tol.Atol + 0x1p-24, Rtol: tol.Rtol + 0x1p-10})
}
