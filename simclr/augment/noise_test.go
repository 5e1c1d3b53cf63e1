package augment

import (
	"hash/fnv"
	"math"
	"testing"
)

// viewsHash is an FNV-1a hash of the bits of views of seeded views of a
// 3-channel and a 1-channel image under cfg.
func viewsHash(cfg Config) uint64 {
	h := fnv.New64a()
	for _, c := range []int{1, 3} {
		im := randImage(21, c, 41, 53)
		out := make([]float32, c*cfg.Size*cfg.Size)
		for v := 0; v < 40; v++ {
			View(out, im, cfg, ViewRNG(7, 1, v, v&1))
			for _, x := range out {
				b := math.Float32bits(x)
				h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
			}
		}
	}
	return h.Sum64()
}

// TestViewsPinned: the views of the default pipeline (blur on, and the
// CIFAR one without blur) are bit-identical to those before solarisation
// and noise were added (hashes taken from that code), so the new features
// draw nothing while they are off.
func TestViewsPinned(t *testing.T) {
	blur := DefaultConfig(40)
	blur.Blur = BlurOn
	for _, c := range []struct {
		name string
		cfg  Config
		want uint64
	}{{"size 32", DefaultConfig(32), 0xfd1983baf2459df3}, {"size 40 blur", blur, 0x9bcc5fecc5581afe}} {
		if got := viewsHash(c.cfg); got != c.want {
			t.Errorf("%s: views hash %#x, want %#x", c.name, got, c.want)
		}
	}
}

func TestSolarize(t *testing.T) {
	x := []float32{0, 0.25, 0.4999, 0.5, 0.75, 1}
	Solarize(x)
	want := []float32{0, 0.25, 0.4999, 0.5, 0.25, 0}
	if !equal(x, want) {
		t.Errorf("Solarize = %v, want %v", x, want)
	}
	cfg := DefaultConfig(16)
	cfg.SolarizeP = 0.3
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	on := 0
	for v := 0; v < 2000; v++ {
		p := Sample(cfg, ViewRNG(3, 0, v, 0), 20, 20)
		q := Sample(DefaultConfig(16), ViewRNG(3, 0, v, 0), 20, 20)
		if p.Solarize {
			on++
		}
		p.Solarize = false
		if p != q {
			t.Fatalf("view %d: SolarizeP changed the other draws: %+v vs %+v", v, p, q)
		}
	}
	if on < 500 || on > 700 {
		t.Errorf("SolarizeP 0.3: %d of 2000 views solarised", on)
	}
	cfg.SolarizeP = 1.5
	if cfg.Validate() == nil {
		t.Error("SolarizeP 1.5 accepted")
	}
}

func TestNoiseValues(t *testing.T) {
	var sum, sq float64
	const n = 200000
	for i := uint32(0); i < n; i++ {
		v := float64(NoiseValue(99, i%3, i/3))
		sum += v
		sq += v * v
	}
	mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
	if math.Abs(mean) > 0.01 || math.Abs(std-1) > 0.01 {
		t.Errorf("noise mean %g std %g, want 0 and 1", mean, std)
	}
	if NoiseValue(1, 0, 5) == NoiseValue(2, 0, 5) || NoiseValue(1, 0, 5) == NoiseValue(1, 1, 5) ||
		NoiseValue(1, 0, 5) == NoiseValue(1, 0, 6) {
		t.Error("noise does not depend on seed, channel and pixel")
	}

	cfg := DefaultConfig(16)
	cfg.NoiseStd = 0.1
	im := randImage(5, 3, 20, 20)
	p := Sample(cfg, ViewRNG(4, 0, 1, 0), 20, 20)
	q := Sample(DefaultConfig(16), ViewRNG(4, 0, 1, 0), 20, 20)
	if p.Noise != 0.1 || p.NoiseSeed == 0 {
		t.Fatalf("NoiseStd 0.1: Params.Noise %g seed %d", p.Noise, p.NoiseSeed)
	}
	clean := make([]float32, 3*256)
	noisy := make([]float32, 3*256)
	Apply(clean, im, q, cfg)
	Apply(noisy, im, p, cfg)
	for i := range clean {
		c, px := i/256, i%256
		want := clip01(clean[i] + 0.1*NoiseValue(p.NoiseSeed, uint32(c), uint32(px)))
		if noisy[i] != want {
			t.Fatalf("noisy %d = %g, want %g", i, noisy[i], want)
		}
	}
	p.Noise, p.NoiseSeed = 0, 0
	if p != q {
		t.Errorf("NoiseStd changed the other draws: %+v vs %+v", p, q)
	}
	cfg.NoiseStd = -1
	if cfg.Validate() == nil {
		t.Error("NoiseStd -1 accepted")
	}
}
