package layers_test

import (
	"math"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// TestLossScalerOverflowHalvesAndSkips: non-finite gradients skip the
// step, halve the scale and restart the count of good steps.
func TestLossScalerOverflowHalvesAndSkips(t *testing.T) {
	s := layers.NewLossScaler()
	if s.Scale != 1<<16 || s.GrowthInterval != 2000 {
		t.Fatalf("new scaler %+v, want scale 2^16, growth every 2000 steps", s)
	}
	for range 5 {
		if step, err := s.Update(true); !step || err != nil {
			t.Fatalf("finite gradients: step %v, %v", step, err)
		}
	}
	step, err := s.Update(false)
	if step || err != nil || s.Scale != 1<<15 || s.Skipped != 1 || s.Good != 0 {
		t.Errorf("after an overflow: step %v, err %v, %+v; want skipped, scale 2^15, 1 skipped, 0 good", step, err, s)
	}
}

// TestLossScalerGrowth: GrowthInterval good steps in a row double the
// scale, not one fewer; an overflow in between restarts the count.
func TestLossScalerGrowth(t *testing.T) {
	s := &layers.LossScaler{Scale: 8, GrowthInterval: 3}
	s.Update(true)
	s.Update(true)
	if s.Scale != 8 {
		t.Fatalf("after 2 of 3 good steps: scale %g, want 8", s.Scale)
	}
	s.Update(false) // 4, count restarts
	s.Update(true)
	s.Update(true)
	if s.Scale != 4 {
		t.Fatalf("2 good steps after an overflow: scale %g, want 4", s.Scale)
	}
	s.Update(true)
	if s.Scale != 8 || s.Good != 0 {
		t.Errorf("after 3 good steps: %+v, want scale 8 and the count restarted", s)
	}
}

// TestLossScalerFloor: non-finite gradients at the smallest scale are an
// error (divergence), not another halving.
func TestLossScalerFloor(t *testing.T) {
	s := &layers.LossScaler{Scale: 2 * layers.MinLossScale, GrowthInterval: 2000}
	if _, err := s.Update(false); err != nil || s.Scale != layers.MinLossScale {
		t.Fatalf("halving to the floor: %v, scale %g", err, s.Scale)
	}
	if _, err := s.Update(false); err == nil {
		t.Errorf("non-finite gradients at scale %g: no error", s.Scale)
	}
}

// TestLossScalerCeiling: growth stops at MaxLossScale (doubling on would
// reach +Inf in float32 after 2^127), and a checkpoint of a scaler at the
// ceiling loads back.
func TestLossScalerCeiling(t *testing.T) {
	s := &layers.LossScaler{Scale: layers.MaxLossScale / 2, GrowthInterval: 1}
	for range 200 {
		if step, err := s.Update(true); !step || err != nil {
			t.Fatalf("finite gradients: step %v, %v", step, err)
		}
	}
	if s.Scale != layers.MaxLossScale {
		t.Fatalf("after 200 doublings from 2^63: scale %g, want the ceiling %g", s.Scale, float32(layers.MaxLossScale))
	}
	var back layers.LossScaler
	if found, err := back.LoadState(s.State()); !found || err != nil || back.Scale != s.Scale {
		t.Errorf("a scaler at the ceiling does not load back: found %v, %v, scale %g", found, err, back.Scale)
	}
}

// TestLossScalerStateRoundTrip: State / LoadState give back the scale,
// the good-step count and the skipped steps; a float32 run's extras (no
// loss scale) are not found; bad values are errors naming the field.
func TestLossScalerStateRoundTrip(t *testing.T) {
	s := &layers.LossScaler{Scale: 1 << 12, GrowthInterval: 2000, Good: 1234, Skipped: 5}
	r := layers.NewLossScaler()
	if found, err := r.LoadState(s.State()); !found || err != nil {
		t.Fatalf("LoadState(State()): found %v, %v", found, err)
	}
	if *r != *s {
		t.Errorf("round trip: %+v, want %+v", r, s)
	}
	if found, err := r.LoadState(map[string]string{"optimizer": "lars"}); found || err != nil {
		t.Errorf("no loss scale recorded: found %v, %v", found, err)
	}
	for _, bad := range []map[string]string{
		{"loss_scale": "3", "loss_scale_good_steps": "0", "loss_scale_skipped_steps": "0"},
		{"loss_scale": "NaN", "loss_scale_good_steps": "0", "loss_scale_skipped_steps": "0"},
		{"loss_scale": "1e300", "loss_scale_good_steps": "0", "loss_scale_skipped_steps": "0"},
		{"loss_scale": "1024", "loss_scale_good_steps": "-1", "loss_scale_skipped_steps": "0"},
		{"loss_scale": "1024", "loss_scale_good_steps": "0"},
	} {
		keep := *r
		if _, err := r.LoadState(bad); err == nil {
			t.Errorf("LoadState(%v): no error", bad)
		}
		if *r != keep {
			t.Errorf("LoadState(%v) changed the scaler to %+v", bad, r)
		}
	}
}

// TestLossScalerStep: GradSquares sums every gradient's squares; Step
// with a finite sum takes the step and divides the gradients by the scale
// they were computed at; with Inf it skips, leaves them alone and halves
// the scale.
func TestLossScalerStep(t *testing.T) {
	b := cpu.New(cpu.Options{})
	l := layers.NewLinear(b, "fc", 3, 2, true)
	w, bias := []float32{1, 2, 3, 4, 5, 6}, []float32{8, -8}
	b.Upload(l.Weight.Grad, w)
	b.Upload(l.Bias.Grad, bias)
	acc, tmp := b.New(1), b.New(1)
	ps := []*layers.Param{l.Weight, l.Bias}
	g2, err := layers.GradSquares(b, ps, acc, tmp)
	if err != nil || g2 != 91+128 {
		t.Fatalf("GradSquares = %v, %v; want 219", g2, err)
	}
	s := &layers.LossScaler{Scale: 4}
	if step, err := s.Step(g2, b, ps); !step || err != nil || s.Scale != 4 {
		t.Fatalf("finite: step %v, %v, scale %g", step, err, s.Scale)
	}
	got := make([]float32, 6)
	b.Download(l.Weight.Grad, got)
	for i := range got {
		if got[i] != w[i]/4 {
			t.Fatalf("unscaled weight gradient %v, want %v / 4", got, w)
		}
	}
	if step, err := s.Step(math.Inf(1), b, ps); step || err != nil || s.Scale != 2 || s.Skipped != 1 {
		t.Fatalf("Inf: step %v, %v, %+v; want skipped at scale 2", step, err, s)
	}
	b.Download(l.Weight.Grad, got)
	if got[5] != w[5]/4 {
		t.Errorf("a skipped step changed the gradients: %v", got)
	}
}
