package augment

import (
	"math/rand/v2"
	"testing"
)

// TestViewAllocs: once warm, a view allocates nothing: Apply's resample
// and blur buffers come from scratchPool, and Sample draws from the
// caller's stream (the Loader reseeds one generator per worker,
// viewSeed, rather than allocating ViewRNG's per view).
func TestViewAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	im := goldenImage(1, 3, 75, 100)
	cfg := DefaultConfig(48)
	cfg.Blur = BlurOn
	out := make([]float32, 3*48*48)
	p := Params{Crop: Crop{10, 5, 60, 50}, Flip: true, Jitter: true, Order: [4]int{3, 1, 0, 2},
		Brightness: 1.2, Contrast: 0.8, Saturation: 1.3, Hue: 0.1, Blur: true, Sigma: 0.3, Kernel: 9}
	if got := testing.AllocsPerRun(20, func() { Apply(out, im, p, cfg) }); got != 0 {
		t.Errorf("Apply (blur with tiny taps) allocated %v times per warm view, want 0", got)
	}
	p.Sigma, p.Kernel = 1.5, 9
	if got := testing.AllocsPerRun(20, func() { Apply(out, im, p, cfg) }); got != 0 {
		t.Errorf("Apply (wider blur) allocated %v times per warm view, want 0", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	if got := testing.AllocsPerRun(20, func() { View(out, im, cfg, rng) }); got != 0 {
		t.Errorf("View allocated %v times per warm view, want 0", got)
	}
}
