package tune

import (
	"strings"
	"testing"

	"simclr-vk/engine/vulkan/internal/rttest"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// TestKernelTimerWall: the wall-clock timer (GEMM classes on GPUs) sizes
// its samples after the warm-up (between 1 and 256 recordings of about
// wallSample in all) and returns a positive median; the timestamp timer
// keeps one recording per sample.
func TestKernelTimerWall(t *testing.T) {
	rt := rttest.Open(t, vkrt.Config{})
	a := rt.New(64 * 64)
	defer rt.Release(a)
	record := func() { rt.Fill(a, 1) }
	for _, wall := range []bool{true, false} {
		tm, err := NewTimer(rt, wall)
		if err != nil {
			t.Fatal(err)
		}
		med, err := tm.Median(record)
		tm.Close()
		if err != nil {
			t.Fatal(err)
		}
		if med <= 0 {
			t.Errorf("wall %v: median %v", wall, med)
		}
		switch {
		case wall && (tm.reps < 1 || tm.reps > 256 || tm.useTS || !strings.Contains(tm.Desc, "wall time")):
			t.Errorf("wall timer: reps %d, timestamps %v, %q", tm.reps, tm.useTS, tm.Desc)
		case !wall && tm.useTS && tm.reps != 1:
			t.Errorf("timestamp timer: reps %d, want 1", tm.reps)
		}
		t.Logf("wall %v: %d recordings per sample, median %v (%s)", wall, tm.reps, med, tm.Desc)
	}
}
