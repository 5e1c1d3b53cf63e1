package engine

import "math"

// MatmulRounder is implemented by backends whose matrix products (Gemm,
// GemmBatched and the three convolutions) may round their inputs before
// multiplying, such as the Vulkan backend on cooperative matrices with
// float16 inputs. MatmulInputRounding returns that rounding of one input
// value (for the Vulkan backend RoundFloat16, which its per-tensor
// power-of-two scaling matches but for values far below a tensor's
// largest), or nil when the inputs are used as float32. The conformance
// suite rounds the CPU reference's inputs the same way.
type MatmulRounder interface {
	MatmulInputRounding() func(float32) float32
}

// RoundFloat16 rounds x to the nearest IEEE 754 binary16 value (ties to
// even), returned as a float32: 11 significant bits, subnormals down to
// 2^-24, magnitudes from 65520 up to ±Inf; NaN and ±Inf are kept.
func RoundFloat16(x float32) float32 {
	a := math.Abs(float64(x))
	switch {
	case a != a || math.IsInf(a, 0):
		return x
	case a >= 65520: // halfway between 65504 (the largest) and 2^16 rounds to even: up
		return float32(math.Copysign(math.Inf(1), float64(x)))
	case a == 0:
		return x
	}
	_, exp := math.Frexp(a) // a = f * 2^exp, f in [0.5, 1)
	ulp := math.Ldexp(1, max(exp-1, -14)-10)
	q := math.RoundToEven(a/ulp) * ulp // exact: a/ulp is a power-of-two scaling
	return float32(math.Copysign(q, float64(x)))
}

// RoundScaled is x as a cooperative-matrix product reads a float32
// tensor: scaled by the power of two that brings its largest finite
// magnitude into [2^14, 2^15) (so that a tensor of small values keeps its
// significant bits instead of meeting float16's subnormals), each value
// rounded by round (RoundFloat16 there), scaled back. A new slice; the
// exponent is kept within +-100 and a tensor of zeros or with an infinite
// largest magnitude is not scaled.
func RoundScaled(x []float32, round func(float32) float32) []float32 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(float64(v)))
	}
	e := 0
	if m > 0 && !math.IsInf(m, 0) {
		_, e = math.Frexp(m) // m = f * 2^e, f in [0.5, 1)
		e = min(max(15-e, -100), 100)
	}
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(math.Ldexp(float64(round(float32(math.Ldexp(float64(v), e)))), -e))
	}
	return out
}

// Float16Bits is x as an IEEE 754 binary16 bit pattern, rounded to the
// nearest value with ties to even as RoundFloat16 rounds it (so
// Float16Value(Float16Bits(x)) == RoundFloat16(x) but for NaN): subnormals
// down to 2^-24, magnitudes from 65520 up to ±Inf, every NaN the quiet NaN
// 0x7e00 with x's sign. Integer arithmetic only, as to_float16.comp does it.
func Float16Bits(x float32) uint16 {
	f := math.Float32bits(x)
	sign := uint16(f>>16) & 0x8000
	a := f & 0x7fffffff
	switch {
	case a > 0x7f800000: // NaN
		return sign | 0x7e00
	case a >= 0x477ff000: // 65520 and up, Inf included
		return sign | 0x7c00
	case a >= 0x38800000: // normal: rebias the exponent, round 13 bits off
		h := (a - 0x38000000) >> 13
		if rem := a & 0x1fff; rem > 0x1000 || rem == 0x1000 && h&1 != 0 {
			h++
		}
		return sign | uint16(h)
	case a>>23 < 102: // below 2^-25: rounds to zero
		return sign
	}
	// Subnormal: the 24-bit significand shifted to units of 2^-24.
	m, shift := a&0x7fffff|0x800000, 126-a>>23
	h, rem, half := m>>shift, m&(1<<shift-1), uint32(1)<<(shift-1)
	if rem > half || rem == half && h&1 != 0 {
		h++
	}
	return sign | uint16(h)
}

// Float16Value is the float32 value of the binary16 bit pattern h (exact:
// every binary16 value is a float32; a NaN keeps its sign and payload in
// the top mantissa bits). Integer arithmetic only, as from_float16.comp.
func Float16Value(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	e, m := uint32(h>>10)&0x1f, uint32(h&0x3ff)
	switch {
	case e == 31:
		return math.Float32frombits(sign | 0x7f800000 | m<<13)
	case e == 0 && m == 0:
		return math.Float32frombits(sign)
	case e == 0: // subnormal: normalise
		e = 113
		for m&0x400 == 0 {
			m <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (m&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (e+112)<<23 | m<<13)
}

// Float16Round is x as a Float16 tensor stores it:
// Float16Value(Float16Bits(x)), RoundFloat16 but for NaN, which becomes
// the quiet NaN with x's sign as on a device.
func Float16Round(x float32) float32 { return Float16Value(Float16Bits(x)) }

// PackFloat16 packs src (n) into dst ((n+1)/2) words of two binary16
// values (Float16Bits), as float32 bit patterns: word i holds src[2i] in
// its low and src[2i+1] (0 past the end) in its high 16 bits. It is the
// layout of Backend.ToFloat16 and of a Float16 tensor's device memory.
func PackFloat16(dst, src []float32) {
	for i := range dst {
		w := uint32(Float16Bits(src[2*i]))
		if 2*i+1 < len(src) {
			w |= uint32(Float16Bits(src[2*i+1])) << 16
		}
		dst[i] = math.Float32frombits(w)
	}
}

// UnpackFloat16 is PackFloat16's inverse: dst (n) from src ((n+1)/2)
// words, exactly (Float16Value).
func UnpackFloat16(dst, src []float32) {
	for i := range dst {
		w := math.Float32bits(src[i/2])
		dst[i] = Float16Value(uint16(w >> (16 * (i & 1))))
	}
}
