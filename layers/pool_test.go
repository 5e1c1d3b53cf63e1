package layers_test

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// TestPoolKeysDType: a pooled float16 tensor is never handed out for a
// float32 request of the same length (nor the reverse), and each comes
// back for its own dtype.
func TestPoolKeysDType(t *testing.T) {
	b := cpu.New(cpu.Options{})
	p := layers.NewPool(b)
	defer p.Trim()
	h := p.GetOf(engine.Float16, 2, 6)
	p.Put(h)
	if got := p.Held(); got != 24 {
		t.Errorf("Held %d bytes after one float16 (12), want 24", got)
	}
	f := p.Get(12)
	if f.DType() != engine.Float32 || f == h {
		t.Errorf("Get(12) after Put(float16 [2 6]) gave %v, want a new float32 tensor", f)
	}
	p.Put(f)
	if g := p.GetOf(engine.Float16, 3, 4); g.Base() != h || g.DType() != engine.Float16 || !engine.SameShape(g.Shape(), []int{3, 4}) {
		t.Errorf("GetOf(float16, 3, 4) = %v, want the pooled float16 tensor as [3 4]", g)
	}
	if g := p.Get(4, 3); g != f && g.Base() != f {
		t.Errorf("Get(4, 3) = %v, want the pooled float32 tensor", g)
	}
}
