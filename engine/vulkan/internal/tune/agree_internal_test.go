package tune

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/rttest"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// TestAbsMaxDiff: absmax_diff.comp against absMaxDiffBits on awkward
// lengths (past one workgroup, past the 1024-workgroup grid), with the
// largest difference negative, and with a NaN in either input.
func TestAbsMaxDiff(t *testing.T) {
	d := rttest.Open(t, vkrt.Config{})
	rng := rand.New(rand.NewSource(7))
	for _, n := range []int{1, 3, 13, 127, 257, 1<<18 + 13} {
		for _, nan := range []int{-1, 0, 1} { // none, in x, in y
			x, y := make([]float32, n), make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
				y[i] = x[i] + float32(rng.NormFloat64())*1e-3
			}
			y[rng.Intn(n)] += 0.5 // the largest difference is x - y < 0
			switch nan {
			case 0:
				x[rng.Intn(n)] = float32(math.NaN())
			case 1:
				y[n-1] = float32(math.NaN())
			}
			xt, yt, m := d.New(n), d.New(n), d.New(2)
			d.Upload(xt, x)
			d.Upload(yt, y)
			AbsMaxDiff(d, m, 1, xt, yt)
			got, err := readBits(d, m)
			if err != nil {
				t.Fatal(err)
			}
			want := absMaxDiffBits(x, y)
			// NaN has more than one bit pattern (lavapipe makes 0x7fc00000,
			// NVIDIA 0x7fffffff): any NaN matches a NaN.
			g := math.Float32bits(got[1])
			sameNaN := g&0x7fffffff > 0x7f800000 && want&0x7fffffff > 0x7f800000
			if (g != want && !sameNaN) || got[0] != 0 {
				t.Errorf("n=%d nan=%d: slot 1 %#x (%g), want %#x (%g); slot 0 %g, want 0",
					n, nan, g, got[1], want, math.Float32frombits(want), got[0])
			}
			if (nan >= 0) != math.IsNaN(float64(got[1])) {
				t.Errorf("n=%d nan=%d: maximum %g", n, nan, got[1])
			}
			for _, tt := range []*engine.Tensor{xt, yt, m} {
				d.Release(tt)
			}
		}
	}
}

// TestTuneRefWithoutMemory: a reference copy that does not fit in memory
// leaves the device usable (no sticky error) and judges nothing, with the
// reason for the tuner's note. (tools/gpucheck.sh runs it with the other
// device-memory exhaustion tests, in their own process.)
func TestTuneRefWithoutMemory(t *testing.T) {
	d := rttest.Open(t, vkrt.Config{})
	huge := engine.NewTensor(d.Owner(), nil, 1<<20, 1<<20) // 4 TiB, never allocated
	if _, err := d.TryNewScratch(huge.Numel()); err == nil || d.Err() != nil {
		t.Fatalf("TryNewScratch of 4 TiB: error %v, device error %v; want an error and no device error", err, d.Err())
	}
	r, err := NewRef(d, huge, func(dst, src *engine.Tensor) { t.Error("the reference copied without memory for it") })
	if err != nil {
		t.Fatal(err)
	}
	if r.Judgeable() || !strings.Contains(r.Why(), "no memory for the reference copy") {
		t.Errorf("reference judgeable %v, why %q", r.Judgeable(), r.Why())
	}
	if err := CheckAgainst(d, r, huge, AgreeTol); err != nil {
		t.Errorf("CheckAgainst without a reference: %v", err)
	}
	r.Release()
	if err := d.Err(); err != nil {
		t.Fatalf("device error after the failed reference: %v", err)
	}
}

// TestAgreement: the rule that accepts or rejects a candidate.
func TestAgreement(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		diff, ref float32
		tol       float64
		ok        bool
	}{
		{0, 0, 1e-3, true},
		{0, 5, 1e-3, true},
		{4.9e-3, 5, 1e-3, true},
		{5.1e-3, 5, 1e-3, false},
		{1e-30, 0, 1e-3, false}, // an all-zero reference tolerates exact zeros only
		{0.1, 5, 3e-2, true},
		{0.2, 5, 3e-2, false},
		{nan, 5, 1e-3, false},
		{float32(math.Inf(1)), 5, 1e-3, false},
	} {
		err := agreement(c.diff, c.ref, c.tol)
		if (err == nil) != c.ok {
			t.Errorf("diff %g ref %g tol %g: %v, want ok=%v", c.diff, c.ref, c.tol, err, c.ok)
		}
	}
}
