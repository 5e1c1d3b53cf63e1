package augment

import (
	"math"
	"math/rand/v2"
	"testing"

	"simclr-vk/simclr/data"
)

// randImage returns a c x h x w image of random bytes.
func randImage(seed uint64, c, h, w int) data.Image {
	rng := rand.New(rand.NewPCG(seed, 1))
	im := data.Image{C: c, H: h, W: w, Pix: make([]uint8, c*h*w)}
	for i := range im.Pix {
		im.Pix[i] = uint8(rng.IntN(256))
	}
	return im
}

func TestSampleCropRanges(t *testing.T) {
	cfg := DefaultConfig(32)
	for _, sz := range [][2]int{{28, 28}, {32, 32}, {13, 40}, {96, 96}, {1, 1}, {3, 127}} {
		h, w := sz[0], sz[1]
		rng := rand.New(rand.NewPCG(1, uint64(h*1000+w)))
		minA, maxA := 2.0, 0.0
		for k := 0; k < 2000; k++ {
			c := SampleCrop(cfg, rng, h, w)
			if c.W < 1 || c.H < 1 || c.X < 0 || c.Y < 0 || c.X+c.W > w || c.Y+c.H > h {
				t.Fatalf("%dx%d: crop %+v out of bounds", h, w, c)
			}
			fallback := c.X == (w-c.W)/2 && c.Y == (h-c.H)/2 && (c.W == w || c.H == h)
			cw, ch, A := float64(c.W), float64(c.H), float64(h*w)
			// Rounding to whole pixels moves each side by up to 0.5.
			if !fallback {
				if (cw+0.5)*(ch+0.5) < cfg.MinScale*A || (cw-0.5)*(ch-0.5) > cfg.MaxScale*A {
					t.Errorf("%dx%d: crop %+v area fraction %.3f outside [0.08, 1]", h, w, c, cw*ch/A)
				}
				if (cw+0.5)/(ch-0.5) < cfg.MinRatio || (cw-0.5)/(ch+0.5) > cfg.MaxRatio {
					t.Errorf("%dx%d: crop %+v aspect %.3f outside [3/4, 4/3]", h, w, c, cw/ch)
				}
			}
			minA, maxA = min(minA, cw*ch/A), max(maxA, cw*ch/A)
		}
		if h*w >= 28*28 && (minA > 0.15 || maxA < 0.85) {
			t.Errorf("%dx%d: area fractions only span [%.3f, %.3f]", h, w, minA, maxA)
		}
	}
	// When no attempt fits, the centre crop with the ratio clamped.
	cfg.MinRatio, cfg.MaxRatio = 2, 3
	cfg.MinScale = 1
	c := SampleCrop(cfg, rand.New(rand.NewPCG(3, 3)), 20, 20)
	if c != (Crop{X: 0, Y: 5, W: 20, H: 10}) {
		t.Errorf("fallback crop %+v, want {0 5 20 10}", c)
	}
}

func TestSampleFactorRanges(t *testing.T) {
	for _, s := range []float64{1, 0.5} {
		for _, size := range []int{32, 96} {
			cfg := DefaultConfig(size)
			cfg.JitterStrength = s
			rng := rand.New(rand.NewPCG(7, 7))
			const n = 20000
			var flips, jit, gray, blur int
			for k := 0; k < n; k++ {
				p := Sample(cfg, rng, size, size)
				if p.Flip {
					flips++
				}
				if p.Gray {
					gray++
				}
				if p.Blur {
					blur++
					if p.Sigma < 0.1 || p.Sigma > 2 || p.Kernel != cfg.BlurKernel() {
						t.Fatalf("blur sigma %g kernel %d", p.Sigma, p.Kernel)
					}
				}
				if !p.Jitter {
					if p.Brightness != 1 || p.Contrast != 1 || p.Saturation != 1 || p.Hue != 0 {
						t.Fatalf("no jitter but factors %+v", p)
					}
					continue
				}
				jit++
				lo, hi := max(0, 1-0.8*s), 1+0.8*s
				for _, f := range []float64{p.Brightness, p.Contrast, p.Saturation} {
					if f < lo || f > hi {
						t.Fatalf("s %g: factor %g outside [%g, %g]", s, f, lo, hi)
					}
				}
				if math.Abs(p.Hue) > 0.2*s {
					t.Fatalf("s %g: hue %g outside +-%g", s, p.Hue, 0.2*s)
				}
				seen := [4]bool{}
				for _, o := range p.Order {
					seen[o] = true
				}
				if seen != [4]bool{true, true, true, true} {
					t.Fatalf("order %v is not a permutation", p.Order)
				}
			}
			frac := func(k int) float64 { return float64(k) / n }
			check := func(name string, got, want float64) {
				if math.Abs(got-want) > 0.02 {
					t.Errorf("size %d: %s frequency %.3f, want %.2f", size, name, got, want)
				}
			}
			check("flip", frac(flips), 0.5)
			check("jitter", frac(jit), 0.8)
			check("gray", frac(gray), 0.2)
			if size <= 32 {
				check("blur (auto off at 32 px)", frac(blur), 0)
			} else {
				check("blur", frac(blur), 0.5)
			}
		}
	}
}

func TestBlurKernel(t *testing.T) {
	for size, want := range map[int]int{8: 3, 28: 3, 32: 3, 64: 7, 96: 9, 100: 11, 224: 23} {
		cfg := DefaultConfig(size)
		if k := cfg.BlurKernel(); k != want || k%2 != 1 {
			t.Errorf("size %d: kernel %d, want %d", size, k, want)
		}
	}
	if DefaultConfig(32).BlurEnabled() || !DefaultConfig(33).BlurEnabled() {
		t.Error("auto blur must be off at 32 px and on above")
	}
	c := DefaultConfig(32)
	c.Blur = BlurOn
	if !c.BlurEnabled() {
		t.Error("BlurOn must enable blur")
	}
	k := GaussianKernel(9, 1.5)
	var sum float64
	for i := range k {
		sum += float64(k[i])
		if k[i] != k[8-i] || (i < 4 && k[i] >= k[i+1]) {
			t.Errorf("kernel %v not symmetric and peaked", k)
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("kernel sums to %g", sum)
	}
}

func TestBlur(t *testing.T) {
	// A constant image stays constant; a single bright pixel spreads into
	// the 2-D separable Gaussian with the same total.
	const s, k, sigma = 13, 5, 1.2
	x := make([]float32, s*s)
	for i := range x {
		x[i] = 0.25
	}
	Blur(x, make([]float32, s*s), 1, s, s, k, sigma)
	for i, v := range x {
		if math.Abs(float64(v)-0.25) > 1e-6 {
			t.Fatalf("constant image changed at %d: %g", i, v)
		}
	}
	for i := range x {
		x[i] = 0
	}
	x[6*s+6] = 1
	Blur(x, make([]float32, s*s), 1, s, s, k, sigma)
	g := GaussianKernel(k, sigma)
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			want := g[dy+2] * g[dx+2]
			if got := x[(6+dy)*s+6+dx]; math.Abs(float64(got-want)) > 1e-6 {
				t.Errorf("(%d,%d) = %g, want %g", dy, dx, got, want)
			}
		}
	}
	if reflect(-1, 5) != 1 || reflect(5, 5) != 3 || reflect(-7, 5) != 1 || reflect(3, 1) != 0 {
		t.Error("reflect padding")
	}
}

// identity is a view of the whole image at its own size, nothing else.
func identity(h, w int) Params { return CentreParams(h, w) }

func TestGeometryFlipCrop(t *testing.T) {
	for _, c := range []int{1, 3} {
		im := randImage(uint64(c), c, 13, 13)
		cfg := DefaultConfig(13)
		out := make([]float32, c*13*13)
		for _, flip := range []bool{false, true} {
			p := identity(13, 13)
			p.Flip = flip
			Apply(out, im, p, cfg)
			for ch := 0; ch < c; ch++ {
				for y := 0; y < 13; y++ {
					for x := 0; x < 13; x++ {
						sx := x
						if flip {
							sx = 12 - x
						}
						want := float32(im.At(ch, y, sx)) / 255
						if got := out[(ch*13+y)*13+x]; math.Abs(float64(got-want)) > 1e-6 {
							t.Fatalf("c %d flip %v (%d,%d) = %g, want %g", c, flip, y, x, got, want)
						}
					}
				}
			}
		}
		// A crop rendered at its own size is the crop; flipped, mirrored.
		cfg = DefaultConfig(5)
		out = make([]float32, c*25)
		p := Params{Crop: Crop{X: 3, Y: 7, W: 5, H: 5}, Flip: true}
		Apply(out, im, p, cfg)
		for ch := 0; ch < c; ch++ {
			for y := 0; y < 5; y++ {
				for x := 0; x < 5; x++ {
					want := float32(im.At(ch, 7+y, 3+4-x)) / 255
					if got := out[(ch*5+y)*5+x]; math.Abs(float64(got-want)) > 1e-6 {
						t.Fatalf("c %d crop (%d,%d) = %g, want %g", c, y, x, got, want)
					}
				}
			}
		}
	}
	// The affine map sends the view's corners onto the crop's corners.
	p := Params{Crop: Crop{X: 10, Y: 20, W: 40, H: 30}}
	if sx, sy := SourceCoord(p, 10, 0, 0); math.Abs(sx-11.5) > 1e-9 || math.Abs(sy-21) > 1e-9 {
		t.Errorf("corner maps to (%g, %g), want (11.5, 21)", sx, sy)
	}
	p.Flip = true
	if sx, _ := SourceCoord(p, 10, 0, 0); math.Abs(sx-47.5) > 1e-9 {
		t.Errorf("flipped corner maps to x %g, want 47.5 (mirror of 11.5 in [10, 49])", sx)
	}
}

func TestColourOps(t *testing.T) {
	// Brightness multiplies and clips.
	x := []float32{0.2, 0.6, 1}
	Brightness(x, 1.5)
	if math.Abs(float64(x[0]-0.3)) > 1e-6 || math.Abs(float64(x[1]-0.9)) > 1e-6 || x[2] != 1 {
		t.Errorf("brightness: %v", x)
	}
	// Contrast keeps the mean luma when nothing clips; 0 gives the mean.
	rgb := []float32{0.2, 0.4, 0.3, 0.5, 0.6, 0.1}
	Contrast(rgb, 3, 2, 0)
	m := float32(0.299*(0.2+0.4)+0.587*(0.3+0.5)+0.114*(0.6+0.1)) / 2
	for i, v := range rgb {
		if math.Abs(float64(v-m)) > 1e-6 {
			t.Errorf("contrast 0: value %d = %g, want mean luma %g", i, v, m)
		}
	}
	gray := []float32{0.2, 0.4, 0.6}
	Contrast(gray, 1, 3, 0.5)
	if math.Abs(float64(gray[0]-0.3)) > 1e-6 || math.Abs(float64(gray[2]-0.5)) > 1e-6 {
		t.Errorf("1-channel contrast: %v", gray)
	}
	// Saturation 0 is the luma.
	px := []float32{0.9, 0.2, 0.4}
	Saturation(px, 3, 1, 0)
	l := float32(0.299*0.9 + 0.587*0.2 + 0.114*0.4)
	for _, v := range px {
		if math.Abs(float64(v-l)) > 1e-6 {
			t.Errorf("saturation 0: %v, want %g", px, l)
		}
	}
	// Hue: a third of the circle sends red to green; a whole turn is the
	// identity; HSV round trip.
	red := []float32{1, 0, 0}
	Hue(red, 3, 1, 1.0/3)
	if math.Abs(float64(red[0])) > 1e-5 || math.Abs(float64(red[1]-1)) > 1e-5 || red[2] > 1e-5 {
		t.Errorf("hue 1/3 of red = %v, want green", red)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 1000; k++ {
		r, g, b := rng.Float32(), rng.Float32(), rng.Float32()
		r2, g2, b2 := hsvToRGB(rgbToHSV(r, g, b))
		if math.Abs(float64(r-r2)) > 1e-5 || math.Abs(float64(g-g2)) > 1e-5 || math.Abs(float64(b-b2)) > 1e-5 {
			t.Fatalf("hsv round trip (%g %g %g) -> (%g %g %g)", r, g, b, r2, g2, b2)
		}
	}
	// 1-channel: saturation, hue and grayscale do nothing.
	one := []float32{0.1, 0.7}
	Saturation(one, 1, 2, 0)
	Hue(one, 1, 2, 0.3)
	Grayscale(one, 1, 2)
	if one[0] != 0.1 || one[1] != 0.7 {
		t.Errorf("1-channel colour ops changed %v", one)
	}
}

func TestViewProperties(t *testing.T) {
	for _, c := range []int{1, 3} {
		for _, size := range []int{13, 32, 40} {
			im := randImage(9, c, 37, 29)
			cfg := DefaultConfig(size)
			cfg.Blur = BlurOn
			out := make([]float32, c*size*size)
			grays := 0
			for v := 0; v < 200; v++ {
				p := View(out, im, cfg, ViewRNG(5, 0, v, 0))
				for i, x := range out {
					if !(x >= 0 && x <= 1) {
						t.Fatalf("c %d size %d view %d: value %d = %g outside [0, 1]", c, size, v, i, x)
					}
				}
				if p.Gray && c == 3 {
					grays++
					pl := size * size
					for i := 0; i < pl; i++ {
						if out[i] != out[pl+i] || out[i] != out[2*pl+i] {
							t.Fatalf("grayscale view has unequal channels at %d", i)
						}
					}
				}
			}
			if c == 3 && grays == 0 {
				t.Errorf("no grayscale view in 200")
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	for _, c := range []int{1, 3} {
		im := randImage(2, c, 40, 40)
		cfg := DefaultConfig(40)
		a := make([]float32, c*1600)
		b := make([]float32, c*1600)
		View(a, im, cfg, ViewRNG(42, 3, 17, 1))
		View(b, im, cfg, ViewRNG(42, 3, 17, 1))
		if !equal(a, b) {
			t.Errorf("c %d: same seed, different views", c)
		}
		for _, other := range [][4]int{{43, 3, 17, 1}, {42, 4, 17, 1}, {42, 3, 18, 1}, {42, 3, 17, 0}} {
			View(b, im, cfg, ViewRNG(uint64(other[0]), other[1], other[2], other[3]))
			if equal(a, b) {
				t.Errorf("c %d: (seed, epoch, index, view) %v gives the same view as (42, 3, 17, 1)", c, other)
			}
		}
	}
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNormalise(t *testing.T) {
	im := randImage(4, 3, 8, 8)
	cfg := DefaultConfig(8)
	plain := make([]float32, 3*64)
	Apply(plain, im, identity(8, 8), cfg)
	cfg.Mean, cfg.Std = []float32{0.5, 0.4, 0.3}, []float32{0.2, 0.25, 0.5}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	norm := make([]float32, 3*64)
	Apply(norm, im, identity(8, 8), cfg)
	for i := range norm {
		c := i / 64
		want := (plain[i] - cfg.Mean[c]) / cfg.Std[c]
		if math.Abs(float64(norm[i]-want)) > 1e-5 {
			t.Fatalf("normalised %d = %g, want %g", i, norm[i], want)
		}
	}
	cfg.Std = cfg.Std[:2]
	if cfg.Validate() == nil {
		t.Error("mismatched Mean/Std accepted")
	}
}
