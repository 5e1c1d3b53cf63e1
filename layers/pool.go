package layers

import "simclr-vk/engine"

// Pool recycles device tensors between training steps. Tensors are keyed by
// element count only: the engine ops check numel, never the shape, and the
// tape tracks every value's logical shape itself. Because a training step
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

// Get returns a tensor of n elements with undefined contents (every engine
// op overwrites its outputs, so nothing needs zeroing).
func (p *Pool) Get(n int) *engine.Tensor {
	l := p.free[n]
	if k := len(l); k > 0 {
		t := l[k-1]
		p.free[n] = l[:k-1]
		p.held -= int64(t.Bytes())
		return t
	}
	return p.b.New(n)
}

// Put returns t to the pool. t must not be used afterwards.
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
