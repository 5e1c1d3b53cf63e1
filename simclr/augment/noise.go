package augment

import "math"

// The last two steps of a view (after blur, before normalisation), both off
// by default: solarisation as BYOL (values at or above 0.5 become 1 - x)
// and additive Gaussian noise whose values come from a counter-based hash,
// so that a device kernel computes the same noise as this code without a
// sequential random stream.

// SolarizeThreshold is the solarisation threshold on [0, 1] values.
const SolarizeThreshold = 0.5

// Solarize maps every value x >= SolarizeThreshold to 1 - x.
func Solarize(x []float32) {
	for i, v := range x {
		if v >= SolarizeThreshold {
			x[i] = 1 - v
		}
	}
}

// mix32 is Chris Wellons' lowbias32 integer hash.
func mix32(x uint32) uint32 {
	x = (x ^ x>>16) * 0x7feb352d
	x = (x ^ x>>15) * 0x846ca68b
	return x ^ x>>16
}

// NoiseBits is the k-th (0 or 1) 32-bit hash of a view's noise seed, a
// channel c and a pixel index (row-major within the channel plane).
func NoiseBits(seed uint64, c, pixel, k uint32) uint32 {
	return mix32(uint32(seed) ^ mix32(uint32(seed>>32)^mix32(pixel^mix32(c<<1|k))))
}

// NoiseValue is the standard normal value of (seed, c, pixel), by the
// Box-Muller transform of two uniforms built from NoiseBits' top 24 bits:
// u1 in (0, 1], u2 in [0, 1); sqrt(-2 ln u1) * cos(2 pi (u2 - 0.5)) (the
// angle in [-pi, pi), where device cosines are most accurate).
func NoiseValue(seed uint64, c, pixel uint32) float32 {
	const ulp = 1.0 / (1 << 24)
	u1 := float32(NoiseBits(seed, c, pixel, 0)>>8+1) * ulp
	u2 := float32(NoiseBits(seed, c, pixel, 1)>>8) * ulp
	r := math.Sqrt(-2 * math.Log(float64(u1)))
	return float32(r * math.Cos(2*math.Pi*(float64(u2)-0.5)))
}

// Noise adds std * NoiseValue(seed, channel, pixel) to every value of x:
// (c, plane), clipping to [0, 1].
func Noise(x []float32, c, plane int, std float64, seed uint64) {
	s := float32(std)
	for ch := 0; ch < c; ch++ {
		p := x[ch*plane : (ch+1)*plane]
		for i, v := range p {
			p[i] = clip01(v + s*NoiseValue(seed, uint32(ch), uint32(i)))
		}
	}
}
