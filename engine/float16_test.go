package engine

import (
	"math"
	"testing"
)

// half returns the float32 value of the binary16 bit pattern h (plain
// decoding, the reference for RoundFloat16).
func half(h uint16) float32 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e, m := int(h>>10)&0x1f, float64(h&0x3ff)
	switch e {
	case 0:
		return float32(sign * math.Ldexp(m, -24))
	case 31:
		if m != 0 {
			return float32(math.NaN())
		}
		return float32(sign * math.Inf(1))
	}
	return float32(sign * math.Ldexp(1024+m, e-25))
}

// TestRoundFloat16 checks every finite binary16 value maps to itself, the
// midpoints between neighbours round to the even one, values just inside
// them to the nearer one, and the overflow and underflow edges.
func TestRoundFloat16(t *testing.T) {
	for h := uint16(0); h < 0x7c00; h++ {
		for _, sgn := range []uint16{0, 0x8000} {
			v := half(h | sgn)
			if got := RoundFloat16(v); got != v {
				t.Fatalf("RoundFloat16(%g) = %g, want itself (0x%04x)", v, got, h|sgn)
			}
		}
		if h == 0x7bff {
			continue
		}
		lo, hi := float64(half(h)), float64(half(h+1))
		mid := (lo + hi) / 2 // exact in float32: binary16 neighbours differ in few bits
		even := half(h)
		if h&1 == 1 {
			even = half(h + 1)
		}
		if got := RoundFloat16(float32(mid)); got != even {
			t.Fatalf("RoundFloat16(%g) (midpoint of %g and %g) = %g, want %g", mid, lo, hi, got, even)
		}
		below := math.Nextafter32(float32(mid), float32(lo))
		above := math.Nextafter32(float32(mid), float32(hi))
		if RoundFloat16(below) != float32(lo) || RoundFloat16(above) != float32(hi) {
			t.Fatalf("RoundFloat16 around %g: %g -> %g, %g -> %g, want %g and %g", mid, below, RoundFloat16(below), above, RoundFloat16(above), lo, hi)
		}
	}
	for _, c := range []struct{ in, want float32 }{
		{65519.996, 65504}, {65520, float32(math.Inf(1))}, {-1e6, float32(math.Inf(-1))},
		{float32(math.Ldexp(1, -25)), 0}, {float32(math.Ldexp(1.0000001, -25)), float32(math.Ldexp(1, -24))},
		{1e-10, 0}, {1.0 / 3, 0.33325195}, {float32(math.Inf(1)), float32(math.Inf(1))},
	} {
		if got := RoundFloat16(c.in); got != c.want {
			t.Errorf("RoundFloat16(%g) = %g, want %g", c.in, got, c.want)
		}
	}
	if v := RoundFloat16(float32(math.NaN())); v == v {
		t.Errorf("RoundFloat16(NaN) = %g", v)
	}
}

// TestFloat16Bits: Float16Value decodes every binary16 pattern as half
// does, Float16Bits inverts it on every non-NaN pattern, and on float32
// values across the whole range (normals, subnormals, midpoints, overflow)
// Float16Bits rounds as RoundFloat16.
func TestFloat16Bits(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		v := Float16Value(uint16(h))
		want := half(uint16(h))
		if v != v {
			if want == want || Float16Bits(v) != uint16(h)&0x8000|0x7e00 {
				t.Fatalf("Float16Value(%#04x) = %v, want %v", h, v, want)
			}
			continue
		}
		if v != want || math.Signbit(float64(v)) != (h&0x8000 != 0) {
			t.Fatalf("Float16Value(%#04x) = %v, want %v", h, v, want)
		}
		if got := Float16Bits(v); got != uint16(h) {
			t.Fatalf("Float16Bits(%v) = %#04x, want %#04x", v, got, h)
		}
	}
	edges := []uint32{0x477fefff, 0x477ff000, 0x33000000, 0x33000001, 0x33c00000, 0x387fe000, 0x387ff000, 0x3f801000, 0x3f803000, 0x7f800000}
	for f := uint64(0); f < 1<<32; f += 4099 { // every 4099th float32 pattern, and the edges
		edges = append(edges, uint32(f))
	}
	for _, e := range edges {
		for _, bits := range []uint32{e, e | 0x80000000} {
			checkFloat16Bits(t, bits)
		}
	}
}

func checkFloat16Bits(t *testing.T, f uint32) {
	t.Helper()
	x := math.Float32frombits(f)
	got := Float16Value(Float16Bits(x))
	want := RoundFloat16(x)
	if x != x {
		if got == got || Float16Bits(x)&0x7fff != 0x7e00 {
			t.Fatalf("Float16Bits(NaN %#08x) = %#04x, want the quiet NaN", f, Float16Bits(x))
		}
		return
	}
	if math.Float32bits(got) != math.Float32bits(want) {
		t.Fatalf("Float16Bits(%g = %#08x) decodes to %g, RoundFloat16 gives %g", x, f, got, want)
	}
}

// TestRoundScaled: a tensor of small values (largest 3 * 2^-21) is
// scaled into [2^14, 2^15) before rounding, so a value of 11 significant
// bits at 2^-30, which alone rounds to 0, is kept; a tensor of ordinary values
// rounds as RoundFloat16 (largest 0.75: scaled by 2^15, exact); zeros
// stay zeros; an infinite largest magnitude scales nothing.
func TestRoundScaled(t *testing.T) {
	v := float32(0x1.004p-30) // 11 significant bits, far below float16's subnormals
	got := RoundScaled([]float32{3 * 0x1p-21, v, 0}, RoundFloat16)
	if got[0] != 3*0x1p-21 || got[1] != v || got[2] != 0 || RoundFloat16(v) != 0 {
		t.Errorf("small tensor: %v (unscaled, %v rounds to %v)", got, v, RoundFloat16(v))
	}
	x := []float32{0.75, 0.1, -0.3333}
	got = RoundScaled(x, RoundFloat16)
	for i := range x {
		if got[i] != RoundFloat16(x[i]) {
			t.Errorf("ordinary tensor: %v, want %v", got, RoundFloat16(x[i]))
		}
	}
	inf := float32(math.Inf(1))
	if got = RoundScaled([]float32{inf, 1e-30}, RoundFloat16); got[0] != inf || got[1] != RoundFloat16(1e-30) {
		t.Errorf("with +Inf: %v", got)
	}
}
