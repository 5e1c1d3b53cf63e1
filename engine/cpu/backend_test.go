package cpu

import (
	"testing"

	"simclr-vk/engine"
)

// TestNewShapePanics: a bad shape is a programming error that panics with
// an "engine: New: ..." message before anything is allocated or counted.
func TestNewShapePanics(t *testing.T) {
	be := New(Options{})
	checkPanics(t, "engine: New: empty shape", func() { be.New() })
	checkPanics(t, "engine: New: non-positive dimension in shape [3 0]", func() { be.New(3, 0) })
	checkPanics(t, "engine: New: non-positive dimension in shape [-1]", func() { be.New(-1) })
	if s := be.MemStats(); s.Tensors != 0 || s.InUse != 0 {
		t.Errorf("after refused allocations: %+v, want nothing in use", s)
	}
}

// TestSizeMisusePanics: a non-positive size argument panics with a message
// naming the op and every size (engine.CheckSizes).
func TestSizeMisusePanics(t *testing.T) {
	be := New(Options{})
	x := be.New(12)
	checkPanics(t, "engine: Gemm: m 0, n 3, k 4: sizes must be positive", func() { be.Gemm(false, false, 0, 3, 4, 1, x, x, 0, x) })
	checkPanics(t, "engine: GemmBatched: batch 2, m 1, n -1, k 1: sizes must be positive", func() { be.GemmBatched(false, false, 2, 1, -1, 1, 1, x, x, 0, x) })
	checkPanics(t, "engine: SumCols: rows 12, cols 0: sizes must be positive", func() { be.SumCols(x, x, 12, 0) })
	checkPanics(t, "engine: BiasForward: n 0, c 3, hw 4: sizes must be positive", func() { be.BiasForward(x, be.New(3), 0, 3, 4) })
	checkPanics(t, "engine: GlobalAvgPoolBackward: n 1, c 12, hw 0: sizes must be positive", func() { be.GlobalAvgPoolBackward(x, x, 1, 12, 0) })
	checkPanics(t, "engine: SoftmaxCrossEntropy: n 0, classes 12: sizes must be positive", func() { be.SoftmaxCrossEntropy(nil, be.New(1), x, x, 0, 12) })
	checkPanics(t, "engine: CheckSizes: 2 names", func() { engine.CheckSizes("op", "a b", 1) })
}
