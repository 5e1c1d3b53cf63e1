package augment

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"

	"simclr-vk/simclr/data"
)

// goldenImage is a c x h x w test picture: random bytes, every third row
// replaced by a few levels (0, 85, 170, 255), so that views see ties
// between channels (grey pixels, two equal maxima), black, white and
// saturated colours as well as noise.
func goldenImage(seed uint64, c, h, w int) data.Image {
	im := randImage(seed, c, h, w)
	rng := rand.New(rand.NewPCG(seed, 7))
	for y := 0; y < h; y += 3 {
		for x := 0; x < w; x++ {
			lvl := uint8(rng.IntN(4) * 85)
			for ch := 0; ch < c; ch++ {
				if rng.IntN(3) == 0 {
					im.Pix[(ch*h+y)*w+x] = uint8(rng.IntN(4) * 85)
				} else {
					im.Pix[(ch*h+y)*w+x] = lvl
				}
			}
		}
	}
	return im
}

// hashFloats is FNV-1a over the bit patterns of x.
func hashFloats(x []float32) string {
	h := fnv.New64a()
	var b [4]byte
	for _, v := range x {
		u := math.Float32bits(v)
		b[0], b[1], b[2], b[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		h.Write(b[:])
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

type goldenCase struct {
	name          string
	c, h, w, size int
	views         int
	blur          BlurMode
	strength      float64
	norm          bool
}

var goldenCases = []goldenCase{
	{"rgb500x375to224", 3, 375, 500, 224, 12, BlurAuto, 1, false},
	{"rgb224to224", 3, 224, 224, 224, 8, BlurAuto, 1, false},
	{"gray500x375to224", 1, 375, 500, 224, 6, BlurAuto, 1, false},
	{"rgb500x375to96", 3, 375, 500, 96, 40, BlurAuto, 1, false},
	{"rgb40to64norm", 3, 40, 40, 64, 60, BlurAuto, 2, true},
	{"rgb48x64to32blur", 3, 64, 48, 32, 80, BlurOn, 1, false},
	{"gray29x37to17norm", 1, 37, 29, 17, 80, BlurOn, 2, true},
	{"rgb7x5to3", 3, 5, 7, 3, 80, BlurOn, 0.5, false},
}

// goldenHashes are the hashes of goldenCases' views as rendered by the
// straightforward implementation before it was optimised (this test run
// on main at dec98af in a copy of the tree, GOAMD64=v1): the faster code
// must give bit-identical views. A build that fuses multiplies and adds
// (another GOARCH, GOAMD64=v3) may round differently and fail here
// without being wrong.
var goldenHashes = map[string]string{
	"ops":               "83a765cf074e4ccb",
	"rgb500x375to224":   "0af0ae705964e9df",
	"rgb224to224":       "3ad22f738b9ea2cb",
	"gray500x375to224":  "51c4394fc50a84da",
	"rgb500x375to96":    "711660025c942e55",
	"rgb40to64norm":     "05af18144ec46809",
	"rgb48x64to32blur":  "3d0ecb18bb0bef14",
	"gray29x37to17norm": "f2fb183e10b69dda",
	"rgb7x5to3":         "ddb50e8573a3f803",
}

func goldenViews(gc goldenCase) []float32 {
	im := goldenImage(uint64(gc.h*1000+gc.w), gc.c, gc.h, gc.w)
	cfg := DefaultConfig(gc.size)
	cfg.Blur, cfg.JitterStrength = gc.blur, gc.strength
	if gc.norm {
		for range gc.c {
			cfg.Mean = append(cfg.Mean, 0.45)
			cfg.Std = append(cfg.Std, 0.22)
		}
	}
	n := gc.c * gc.size * gc.size
	out := make([]float32, gc.views*n)
	for v := range gc.views {
		View(out[v*n:(v+1)*n], im, cfg, ViewRNG(11, 3, v, v%2))
	}
	return out
}

// goldenOps runs each exported colour op and Blur on a 3 x 23 x 19 plane
// of levels in [0, 1] with ties, for several factors.
func goldenOps() []float32 {
	const h, w = 23, 19
	plane := h * w
	rng := rand.New(rand.NewPCG(5, 5))
	base := make([]float32, 3*plane)
	for i := range base {
		switch rng.IntN(3) {
		case 0:
			base[i] = float32(rng.IntN(5)) / 4
		default:
			base[i] = rng.Float32()
		}
	}
	var out []float32
	run := func(f func(x []float32)) {
		x := append([]float32(nil), base...)
		f(x)
		out = append(out, x...)
	}
	for _, f := range []float64{0, 0.2, 0.93, 1, 1.7} {
		run(func(x []float32) { Brightness(x, f) })
		run(func(x []float32) { Contrast(x, 3, plane, f) })
		run(func(x []float32) { Contrast(x[:plane], 1, plane, f) })
		run(func(x []float32) { Saturation(x, 3, plane, f) })
	}
	for _, s := range []float64{-0.8, -0.2, -0.013, 0.05, 0.2, 0.5, 1.3} {
		run(func(x []float32) { Hue(x, 3, plane, s) })
	}
	run(func(x []float32) { Grayscale(x, 3, plane) })
	for _, k := range []int{3, 5, 23} {
		for _, sg := range []float64{0.1, 1, 2} {
			run(func(x []float32) { Blur(x, make([]float32, plane), 3, h, w, k, sg) })
		}
	}
	return out
}

// TestGoldenViews: views and colour ops are bit-identical to the recorded
// hashes of the reference implementation.
func TestGoldenViews(t *testing.T) {
	got := map[string]string{"ops": hashFloats(goldenOps())}
	for _, gc := range goldenCases {
		got[gc.name] = hashFloats(goldenViews(gc))
	}
	for _, name := range append([]string{"ops"}, goldenNames()...) {
		if want, ok := goldenHashes[name]; !ok || got[name] != want {
			t.Errorf("%s: hash %s, want %s", name, got[name], want)
		}
	}
}

func goldenNames() []string {
	var n []string
	for _, gc := range goldenCases {
		n = append(n, gc.name)
	}
	return n
}
