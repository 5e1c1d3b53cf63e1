package cpu

import "testing"

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
