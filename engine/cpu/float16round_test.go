package cpu

import (
	"math"
	"math/rand"
	"os"
	"testing"

	"simclr-vk/engine"
)

// checkRound16 runs round (RoundFloat16, or its Go loop) over the bit
// patterns pattern(0..n-1) in blocks of 2^16 (>= simdMinLen: RoundFloat16
// runs the AVX2 kernel where simdOK) and compares each result with
// engine.Float16Round bit for bit.
func checkRound16(t *testing.T, round func([]float32), n uint64, pattern func(uint64) uint32) {
	t.Helper()
	const block = 1 << 16
	x := make([]float32, block)
	for lo := uint64(0); lo < n; lo += block {
		m := int(min(block, n-lo))
		for i := range m {
			x[i] = math.Float32frombits(pattern(lo + uint64(i)))
		}
		round(x[:m])
		for i, v := range x[:m] {
			in := pattern(lo + uint64(i))
			if got, want := math.Float32bits(v), math.Float32bits(engine.Float16Round(math.Float32frombits(in))); got != want {
				t.Fatalf("RoundFloat16(%#08x) = %#08x, want %#08x", in, got, want)
			}
		}
	}
}

// TestRoundFloat16Patterns: the fast in-place RoundFloat16 equals
// engine.Float16Round bit for bit on
//   - every pattern (both signs, all 2^23 mantissas) of the float32
//     exponents where its cases meet: 0 (zeros, float32 subnormals),
//     101-103 (2^-25: rounding to zero or the smallest subnormal), 112-114
//     (2^-14: subnormal to normal), 141-143 (65504, 65520, 2^16) and 255
//     (Inf, NaN);
//   - for every sign and exponent, every mantissa whose low 13 bits (the
//     ones binary16 drops) are 0, 1, 0xfff, 0x1000, 0x1001 or 0x1fff (exact,
//     ties and their neighbours, carries into the exponent);
//   - every 97th pattern of all 2^32 (97 is odd: every low-bit residue).
//
// SIMCLR_F16_ALL_PATTERNS=1 checks all 2^32 patterns instead (tens of
// seconds on one core for each path). Both RoundFloat16 (the AVX2 kernel
// where simdOK, blocks of 8 lanes with and without slow lanes) and its Go
// loop are checked.
func TestRoundFloat16Patterns(t *testing.T) {
	if !simdOK {
		t.Log("no AVX2 kernels on this machine or build: RoundFloat16 is the Go loop")
	}
	for _, path := range []struct {
		name  string
		round func([]float32)
	}{{"RoundFloat16", RoundFloat16}, {"Go", roundFloat16Go}} {
		t.Run(path.name, func(t *testing.T) { checkRound16Patterns(t, path.round) })
	}
}

func checkRound16Patterns(t *testing.T, round func([]float32)) {
	if os.Getenv("SIMCLR_F16_ALL_PATTERNS") == "1" {
		checkRound16(t, round, 1<<32, func(i uint64) uint32 { return uint32(i) })
		return
	}
	for _, e := range []uint32{0, 101, 102, 103, 112, 113, 114, 141, 142, 143, 255} {
		for _, sign := range []uint32{0, 1 << 31} {
			checkRound16(t, round, 1<<23, func(i uint64) uint32 { return sign | e<<23 | uint32(i) })
		}
	}
	low := []uint32{0, 1, 0xfff, 0x1000, 0x1001, 0x1fff}
	checkRound16(t, round, 1<<19*uint64(len(low)), func(i uint64) uint32 {
		return uint32(i/uint64(len(low)))<<13 | low[i%uint64(len(low))]
	})
	checkRound16(t, round, (1<<32+96)/97, func(i uint64) uint32 { return uint32(97 * i) })
}

// BenchmarkRoundFloat16 rounds 2^20 values as a ReLU leaves them (half
// zeros, the rest half-normal), from a fresh copy each time.
func BenchmarkRoundFloat16(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	src := make([]float32, 1<<20)
	for i := range src {
		src[i] = max(0, float32(rng.NormFloat64()))
	}
	x := make([]float32, len(src))
	b.SetBytes(4 * int64(len(x)))
	for i := 0; i < b.N; i++ {
		copy(x, src)
		RoundFloat16(x)
	}
}

// TestRoundFloat16Tails: RoundFloat16 on every length from simdMinLen to
// simdMinLen+8 (the AVX2 kernel's last partial block of 8 lanes), at
// every offset within a block, on random bit patterns: each value as
// engine.Float16Round, the values around the slice untouched.
func TestRoundFloat16Tails(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	const pad = 9
	buf := make([]float32, simdMinLen+8+2*pad)
	for n := simdMinLen; n <= simdMinLen+8; n++ {
		for off := 1; off <= pad; off++ {
			for i := range buf {
				buf[i] = math.Float32frombits(rng.Uint32())
			}
			in := append([]float32(nil), buf...)
			RoundFloat16(buf[off : off+n])
			for i := range buf {
				want := math.Float32bits(in[i])
				if i >= off && i < off+n {
					want = math.Float32bits(engine.Float16Round(in[i]))
				}
				if got := math.Float32bits(buf[i]); got != want {
					t.Fatalf("n %d offset %d: [%d] = %#08x from %#08x, want %#08x", n, off, i, got, math.Float32bits(in[i]), want)
				}
			}
		}
	}
}
