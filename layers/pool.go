package layers

import "simclr-vk/engine"

// Pool recycles device tensors between training steps. Tensors are keyed by
// element count; Get returns a view with the requested shape when the
// recycled tensor was allocated with another one. Because a training step
// asks for the same sizes in the same order every time, the pool reaches a
// steady state after the first step and no device allocation happens after
// it (so MemStats.InUse and Peak stop growing).
type Pool struct {
	b    engine.Backend
	free map[int][]*engine.Tensor
	held int64 // bytes in free lists
}

// NewPool returns an empty pool allocating from b.
func NewPool(b engine.Backend) *Pool { return &Pool{b: b, free: map[int][]*engine.Tensor{}} }

// Get returns a tensor of the given shape with undefined contents (every
// engine op overwrites its outputs, so nothing needs zeroing).
func (p *Pool) Get(shape ...int) *engine.Tensor {
	n := numel(shape)
	l := p.free[n]
	if k := len(l); k > 0 {
		t := l[k-1]
		p.free[n] = l[:k-1]
		p.held -= int64(t.Bytes())
		if engine.SameShape(t.Shape(), shape) {
			return t
		}
		return t.Reshape(shape...)
	}
	return p.b.New(shape...)
}

// Put returns t (or the base of the view t) to the pool. t must not be used
// afterwards.
func (p *Pool) Put(t *engine.Tensor) {
	if t == nil {
		return
	}
	t = t.Base()
	p.free[t.Numel()] = append(p.free[t.Numel()], t)
	p.held += int64(t.Bytes())
}

// Held is the number of bytes kept in the free lists.
func (p *Pool) Held() int64 { return p.held }

// Trim releases every free tensor back to the backend.
func (p *Pool) Trim() {
	for n, l := range p.free {
		for _, t := range l {
			t.Release()
		}
		delete(p.free, n)
	}
	p.held = 0
}
