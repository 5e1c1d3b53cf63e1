package vkrt

import (
	"fmt"

	"simclr-vk/engine"
)

// Guarded is an output tensor T with guard tensors Lo and Hi placed directly
// before and after it in the same memory block (no gap), all three filled
// with a sentinel value. After an op wrote T, Check reports any guard value
// that changed: a kernel writing past either end of its output. The GEMM,
// convolution and batch-norm tests (gemm_test.go, conv_guard_test.go,
// batchnorm_test.go) and the recorder and memory tests use it.
type Guarded struct {
	Lo, T, Hi *engine.Tensor
	d         *Device
	parent    *alloc
	sentinel  float32
	guard     int
}

// NewGuarded allocates T (shape) between two guards of guard floats each,
// filled with sentinel (T too, so an op that skips outputs is caught by
// comparing T with the reference). T may be passed to ops as an output;
// releasing it is a no-op (use Release).
func (d *Device) NewGuarded(sentinel float32, guard int, shape ...int) (*Guarded, error) {
	if guard <= 0 {
		panic(fmt.Sprintf("engine/vulkan: NewGuarded: guard %d <= 0", guard))
	}
	n := engine.CheckShape("NewGuarded", shape)
	lo := alignUp(4*uint64(guard), d.mem.align) // T stays aligned for binding
	total := lo + 4*uint64(n) + 4*uint64(guard)
	parent, err := d.mem.allocate(total)
	if err != nil {
		return nil, fmt.Errorf("engine/vulkan: NewGuarded %v: %w", shape, err)
	}
	sub := func(off, bytes uint64) *alloc {
		return &alloc{blk: parent.blk, off: parent.off + off, size: bytes, bytes: bytes, sub: true}
	}
	g := &Guarded{d: d, parent: parent, sentinel: sentinel, guard: guard}
	g.Lo = engine.NewTensor(d.owner, sub(0, lo), int(lo/4)) // the whole aligned region before T
	g.T = engine.NewTensor(d.owner, sub(lo, 4*uint64(n)), shape...)
	g.Hi = engine.NewTensor(d.owner, sub(lo+4*uint64(n), 4*uint64(guard)), guard)
	for _, t := range []*engine.Tensor{g.Lo, g.T, g.Hi} {
		v := make([]float32, t.Numel())
		for i := range v {
			v[i] = sentinel
		}
		d.Upload(t, v)
	}
	return g, d.Err()
}

// Check downloads the guards and returns an error naming the first changed
// values, nil when both are intact.
func (g *Guarded) Check() error {
	for _, x := range []struct {
		name string
		t    *engine.Tensor
	}{{"before", g.Lo}, {"after", g.Hi}} {
		v := make([]float32, x.t.Numel())
		if err := g.d.Download(x.t, v); err != nil {
			return err
		}
		for i, f := range v {
			if f != g.sentinel {
				return fmt.Errorf("engine/vulkan: guard %s output %v overwritten: element %d of %d is %g, want sentinel %g",
					x.name, g.T, i, len(v), f, g.sentinel)
			}
		}
	}
	return nil
}

// Release frees the three tensors.
func (g *Guarded) Release() {
	for _, t := range []*engine.Tensor{g.Lo, g.T, g.Hi} {
		if !t.Released() {
			t.MarkReleased()
		}
	}
	if g.parent != nil {
		g.d.mem.release(g.parent)
		g.parent = nil
	}
}

// Placement reports where t lives: its memory block, byte offset and byte
// size (a test hook for allocator and guard-band tests).
func (d *Device) Placement(t *engine.Tensor) (block int, offset, bytes uint64) {
	al := d.allocOf("Placement", t)
	if al == nil {
		return -1, 0, 0
	}
	return al.blk.id, al.off, al.bytes
}
