package augment

import (
	"math"
	"math/rand/v2"
	"testing"
)

// blurRef is Blur as it was first written: one tap at a time, in float32.
// The faster Blur must match it bit for bit.
func blurRef(x, tmp []float32, c, h, w, k int, sigma float64) {
	kern := GaussianKernel(k, sigma)
	r := k / 2
	pad := make([]float32, w+2*r)
	rows := make([]int, h+2*r)
	for y := range rows {
		rows[y] = reflect(y-r, h)
	}
	for ch := 0; ch < c; ch++ {
		p := x[ch*h*w : (ch+1)*h*w]
		for y := 0; y < h; y++ {
			row := p[y*w : (y+1)*w]
			for i := range pad {
				pad[i] = row[reflect(i-r, w)]
			}
			out := tmp[y*w : (y+1)*w]
			for xx := range out {
				var s float32
				win := pad[xx : xx+k]
				for j, kv := range kern {
					s += kv * win[j]
				}
				out[xx] = s
			}
		}
		for y := 0; y < h; y++ {
			out := p[y*w : (y+1)*w]
			src := tmp[rows[y]*w : (rows[y]+1)*w]
			kv := kern[0]
			for xx := range out {
				out[xx] = kv * src[xx]
			}
			for j := 1; j < k; j++ {
				src := tmp[rows[y+j]*w : (rows[y+j]+1)*w]
				kv := kern[j]
				for xx := range out {
					out[xx] += kv * src[xx]
				}
			}
			for xx := range out {
				out[xx] = clip01(out[xx])
			}
		}
	}
}

// blurInput is a c x h x w plane set of values in [0, 1]: zeros, ones,
// 8-bit levels, tiny and subnormal values, uniform noise; with negative
// values and values above 1 when wide.
func blurInput(rng *rand.Rand, n int, wide bool) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch rng.IntN(8) {
		case 0:
			x[i] = 0
		case 1:
			x[i] = 1
		case 2:
			x[i] = float32(rng.IntN(256)) / 255
		case 3:
			x[i] = float32(math.Ldexp(rng.Float64(), -rng.IntN(140)))
		case 4:
			if wide {
				x[i] = 3*rng.Float32() - 1
				break
			}
			fallthrough
		default:
			x[i] = rng.Float32()
		}
	}
	return x
}

// TestBlurMatchesReference: Blur equals blurRef bit for bit over a fine
// grid of sigmas (so every kernel's tails go from normal through subnormal
// to zero float32s), several kernel sizes and image widths (the 8-wide
// blocks and the remainder), inputs in [0, 1] with zeros and subnormals,
// and inputs with negative values (the plain float32 path).
func TestBlurMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	bad := 0
	for _, k := range []int{3, 5, 9, 23} {
		for _, shape := range [][3]int{{3, 11, 37}, {1, 24, 8}, {1, 5, 3}} {
			c, h, w := shape[0], shape[1], shape[2]
			for si := 0; si <= 190; si++ {
				sigma := 0.1 + 0.01*float64(si)
				x := blurInput(rng, c*h*w, si%7 == 3)
				want := append([]float32(nil), x...)
				blurRef(want, make([]float32, h*w), c, h, w, k, sigma)
				Blur(x, make([]float32, h*w), c, h, w, k, sigma)
				for i := range x {
					if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
						if bad++; bad <= 5 {
							t.Errorf("k %d sigma %.2f shape %v: value %d = %g, want %g", k, sigma, shape, i, x[i], want[i])
						}
						break
					}
				}
			}
		}
	}
}

// TestRound32 compares round32 with float32 conversion, on subnormal,
// boundary and normal values including ties.
func TestRound32(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	check := func(x float64) {
		if got, want := round32(x), float64(float32(x)); got != want {
			t.Fatalf("round32(%g) = %g, want %g", x, got, want)
		}
	}
	for _, x := range []float64{0, 0x1p-149, 0x1p-150, 0x3p-151, 0x5p-151, 0x1p-126, 0x1p-126 - 0x1p-150, 0x1p-126 - 0x1p-151, 0x1p-100, 1} {
		check(x)
	}
	for range 100000 {
		check(math.Ldexp(rng.Float64(), -rng.IntN(160)))
		check(math.Ldexp(float64(rng.IntN(1<<12))+0.5, -149))
	}
}

// rgbToHSVRef and hsvToRGBRef are the conversions as first written
// (torchvision's _rgb2hsv and _hsv2rgb, one branch per case).
func rgbToHSVRef(r, g, b float32) (h, s, v float32) {
	maxc := max(r, g, b)
	minc := min(r, g, b)
	v = maxc
	cr := maxc - minc
	if cr == 0 {
		return 0, 0, v
	}
	s = cr / maxc
	rc, gc, bc := (maxc-r)/cr, (maxc-g)/cr, (maxc-b)/cr
	switch {
	case maxc == r:
		h = bc - gc
	case maxc == g:
		h = 2 + rc - bc
	default:
		h = 4 + gc - rc
	}
	h /= 6
	if h < 0 {
		h++
	}
	return h, s, v
}

func hsvToRGBRef(h, s, v float32) (r, g, b float32) {
	h6 := h * 6
	i := int(h6)
	f := h6 - float32(i)
	i %= 6
	p := v * (1 - s)
	q := v * (1 - s*f)
	t := v * (1 - s*(1-f))
	switch i {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}

// TestHSVMatchesReference: the branch-free conversions equal the reference
// ones bit for bit on random colours, colours with two or three equal
// channels, 8-bit levels and the extremes, and hues at and around the
// sector boundaries (including negative and >= 1 hues).
func TestHSVMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	val := func() float32 {
		switch rng.IntN(4) {
		case 0:
			return float32(rng.IntN(5)) / 4
		case 1:
			return float32(rng.IntN(256)) / 255
		}
		return rng.Float32()
	}
	for range 300000 {
		r, g, b := val(), val(), val()
		switch rng.IntN(4) {
		case 0:
			g = r
		case 1:
			b = g
		}
		h, s, v := rgbToHSV(r, g, b)
		h2, s2, v2 := rgbToHSVRef(r, g, b)
		if h != h2 || s != s2 || v != v2 {
			t.Fatalf("rgbToHSV(%g, %g, %g) = %g %g %g, want %g %g %g", r, g, b, h, s, v, h2, s2, v2)
		}
		hh := float32(rng.IntN(13))/6 - 1 + float32(rng.IntN(3)-1)*0x1p-20
		if rng.IntN(2) == 0 {
			hh = h
		}
		r1, g1, b1 := hsvToRGB(hh, s, v)
		r2, g2, b2 := hsvToRGBRef(hh, s, v)
		if r1 != r2 || g1 != g2 || b1 != b2 {
			t.Fatalf("hsvToRGB(%g, %g, %g) = %g %g %g, want %g %g %g", hh, s, v, r1, g1, b1, r2, g2, b2)
		}
	}
}
