package engine_test

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// TestArenaReleasesEverything: the tensors of one piece of work come back
// to the backend together, once, and the arena can be reused.
func TestArenaReleasesEverything(t *testing.T) {
	b := cpu.New(cpu.Options{})
	before := b.MemStats()
	a := engine.NewArena(b)
	x := a.New(3, 4)
	a.New(5)
	a.Adopt(b.New(2, 2))
	if a.Len() != 3 || b.MemStats().Tensors != before.Tensors+3 {
		t.Fatalf("arena holds %d, backend %d tensors; want 3 more", a.Len(), b.MemStats().Tensors-before.Tensors)
	}
	x.Release() // releasing early is fine: ReleaseAll skips it
	a.ReleaseAll()
	if got := b.MemStats(); got.Tensors != before.Tensors || got.InUse != before.InUse {
		t.Fatalf("after ReleaseAll: %+v, want %+v", got, before)
	}
	if a.Len() != 0 {
		t.Fatalf("arena still holds %d tensors", a.Len())
	}
	a.New(7)
	a.ReleaseAll()
	if got := b.MemStats().Tensors; got != before.Tensors {
		t.Fatalf("reused arena leaked %d tensors", got-before.Tensors)
	}
}
