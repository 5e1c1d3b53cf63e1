package cpu

import (
	"math"

	"simclr-vk/engine"
)

// Float16 storage: float32 values packed two per 32-bit word as binary16
// (engine.Float16Bits, engine.Float16Value). The packed words travel as
// float32 tensors holding the bit patterns.

// ToFloat16 packs src (n) into dst ((n+1)/2 words): word i holds
// Float16Bits(src[2i]) in its low and Float16Bits(src[2i+1]) (0 past the
// end) in its high 16 bits.
func ToFloat16(dst /* ((n+1)/2) */, src /* (n) */ []float32) { engine.PackFloat16(dst, src) }

// FromFloat16 unpacks src ((n+1)/2 words written by ToFloat16) into dst
// (n): dst[i] = Float16Value of the low (even i) or high (odd i) half of
// word i/2.
func FromFloat16(dst /* (n) */, src /* ((n+1)/2) */ []float32) { engine.UnpackFloat16(dst, src) }

func (be *Backend) ToFloat16(dst, src *engine.Tensor) {
	engine.CheckBackend("ToFloat16", be, dst, src)
	engine.CheckNumel("ToFloat16", "dst", dst, (engine.CheckFloat32("ToFloat16", "src", src)+1)/2)
	d, s := data(dst), data(src)
	be.chunks(len(d), func(lo, hi int) { ToFloat16(d[lo:hi], s[2*lo:min(2*hi, len(s))]) })
}

func (be *Backend) FromFloat16(dst, src *engine.Tensor) {
	engine.CheckBackend("FromFloat16", be, dst, src)
	engine.CheckNumel("FromFloat16", "src", src, (engine.CheckFloat32("FromFloat16", "dst", dst)+1)/2)
	d, s := data(dst), data(src)
	be.chunks(len(s), func(lo, hi int) { FromFloat16(d[2*lo:min(2*hi, len(d))], s[lo:hi]) })
}

// RoundFloat16 rounds x in place to float16 values: x[i] =
// engine.Float16Round(x[i]) (ToFloat16 then FromFloat16, bit for bit).
// Where the result is a normal binary16 (2^-14 <= |x| < 65520) it works on
// the float32 bits directly: add 0xfff plus the lowest kept bit (ties to
// even) and clear the 13 bits binary16 lacks; a carry into the exponent
// is the right result, 65504 at most below 65520. The same arithmetic
// keeps ±0, so zeros join the fast path through a conditional move rather
// than a branch of their own: after a ReLU about half the values are zero,
// and a branch between them and the rest is mispredicted about half the
// time (docs/mixed-precision.md). The rest (0 < |x| < 2^-14, 65520 and
// up, Inf, NaN) goes through engine.Float16Round. From simdMinLen values
// on an AVX2 CPU it runs as the C kernel simdRoundFloat16: the same bit
// trick on 8 lanes, the other cases by blends, with no branch.
func RoundFloat16(x []float32) {
	if simdOK && len(x) >= simdMinLen {
		simdRoundFloat16(x)
		return
	}
	roundFloat16Go(x)
}

// roundFloat16Go is RoundFloat16's Go loop.
func roundFloat16Go(x []float32) {
	for i, v := range x {
		b := math.Float32bits(v)
		a := b & 0x7fffffff
		if a == 0 {
			a = 0x38800000 // a conditional move: zeros take the fast path
		}
		if a-0x38800000 < 0x477ff000-0x38800000 { // unsigned range check
			x[i] = math.Float32frombits((b + 0xfff + b>>13&1) &^ 0x1fff)
		} else {
			x[i] = engine.Float16Round(v)
		}
	}
}

func (be *Backend) RoundFloat16(t *engine.Tensor) {
	engine.CheckBackend("RoundFloat16", be, t)
	// Elementwise and in place: a blocked activation is rounded as it is
	// stored and keeps its layout (data() would convert it to NCHW first,
	// and the next blocked op back).
	d := bufOf(t).s
	be.chunks(engine.CheckFloat32("RoundFloat16", "t", t), func(lo, hi int) { RoundFloat16(d[lo:hi]) })
}
