package schedule

import (
	"math"
	"testing"
)

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, want %.15g", name, got, want)
	}
}

func TestScaledLR(t *testing.T) {
	lin, _ := ScaledLR(0.3, "linear", 512)
	near(t, "linear 0.3 B512", lin, 0.6)
	sq, _ := ScaledLR(0.075, "sqrt", 4096)
	near(t, "sqrt 0.075 B4096", sq, 4.8) // 0.075*64; equals 0.3*4096/256
	lin4096, _ := ScaledLR(0.3, "linear", 4096)
	near(t, "linear 0.3 B4096", lin4096, 4.8)
	none, _ := ScaledLR(1.0, "none", 512)
	near(t, "none", none, 1.0)
	if _, err := ScaledLR(1, "cubic", 8); err == nil {
		t.Error("unknown scaling accepted")
	}
	if _, err := ScaledLR(1, "linear", 0); err == nil {
		t.Error("batch 0 accepted")
	}
}

func TestCosineBoundaries(t *testing.T) {
	// 10 warm-up steps, 110 total: decay over 100 steps.
	s, err := NewCosine(2.0, 10, 110)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "step 0", s.LR(0), 0)
	near(t, "step 5 (half warm-up)", s.LR(5), 1.0)
	near(t, "step 9 (last warm-up)", s.LR(9), 1.8)
	near(t, "step 10 (end of warm-up)", s.LR(10), 2.0)
	near(t, "step 60 (middle of decay)", s.LR(60), 1.0)
	near(t, "step 35 (quarter of decay)", s.LR(35), 2.0*0.5*(1+math.Sqrt2/2))
	// last step: 0.5*(1+cos(pi*99/100)) * 2
	near(t, "step 109 (last)", s.LR(109), 1+math.Cos(math.Pi*0.99))
	near(t, "step 110 (past end)", s.LR(110), 0)
	if s.LR(109) <= 0 || s.LR(109) > 1e-3 {
		t.Errorf("last step lr %v should be small and positive", s.LR(109))
	}
}

func TestCosineNoWarmup(t *testing.T) {
	s, _ := NewCosine(1.0, 0, 4)
	near(t, "step 0", s.LR(0), 1.0)
	near(t, "step 1", s.LR(1), 0.5*(1+math.Sqrt2/2))
	near(t, "step 2", s.LR(2), 0.5)
	near(t, "step 3", s.LR(3), 0.5*(1-math.Sqrt2/2))
}

func TestCosineOneStep(t *testing.T) {
	s, _ := NewCosine(0.7, 0, 1)
	near(t, "only step", s.LR(0), 0.7)
	w, _ := NewCosine(0.7, 1, 1) // warm-up covering the whole run
	near(t, "only step, all warm-up", w.LR(0), 0)
}

func TestCosineMonotone(t *testing.T) {
	s, _ := NewCosine(1.0, 7, 53)
	for i := 1; i < 7; i++ {
		if !(s.LR(i) > s.LR(i-1)) {
			t.Fatalf("warm-up not increasing at %d", i)
		}
	}
	for i := 8; i < 53; i++ {
		if !(s.LR(i) < s.LR(i-1)) {
			t.Fatalf("decay not decreasing at %d", i)
		}
	}
}

func TestNewCosineErrors(t *testing.T) {
	for _, c := range []struct{ w, n int }{{0, 0}, {-1, 5}, {6, 5}} {
		if _, err := NewCosine(1, c.w, c.n); err == nil {
			t.Errorf("warmup %d total %d accepted", c.w, c.n)
		}
	}
	if got := WarmupSteps(10, 97); got != 970 {
		t.Errorf("WarmupSteps(10, 97) = %d", got)
	}
}
