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
