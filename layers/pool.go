package layers

import "simclr-vk/engine"

// Pool recycles device tensors between training steps. Tensors are keyed by
// dtype and element count; Get returns a view with the requested shape when
// the recycled tensor was allocated with another one. Because a training
// step asks for the same sizes in the same order every time, the pool
// reaches a steady state after the first step and no device allocation
// happens after it (so MemStats.InUse and Peak stop growing).
type Pool struct {
	b    engine.Backend
	free map[poolKey][]*engine.Tensor
	held int64 // bytes in free lists
}

// poolKey keys the free lists: a float16 tensor is never handed out for a
// float32 request of the same length, nor the reverse.
type poolKey struct {
	dt engine.DType
	n  int
}

// NewPool returns an empty pool allocating from b.
func NewPool(b engine.Backend) *Pool { return &Pool{b: b, free: map[poolKey][]*engine.Tensor{}} }

// Get returns a float32 tensor of the given shape with undefined contents
// (every engine op overwrites its outputs, so nothing needs zeroing).
func (p *Pool) Get(shape ...int) *engine.Tensor { return p.GetOf(engine.Float32, shape...) }

// GetOf is Get for a tensor of dtype dt; a Float16 one is allocated with
// the backend's NewFloat16 (the backend must be an engine.Float16Storer:
// Tape asks for float16 only after engine.Float16Support).
func (p *Pool) GetOf(dt engine.DType, shape ...int) *engine.Tensor {
	k := poolKey{dt, numel(shape)}
	l := p.free[k]
	if i := len(l); i > 0 {
		t := l[i-1]
		p.free[k] = l[:i-1]
		p.held -= int64(t.Bytes())
		if engine.SameShape(t.Shape(), shape) {
			return t
		}
		return t.Reshape(shape...)
	}
	if dt == engine.Float16 {
		return p.b.(engine.Float16Storer).NewFloat16(shape...)
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
	k := poolKey{t.DType(), t.Numel()}
	p.free[k] = append(p.free[k], t)
	p.held += int64(t.Bytes())
}

// Held is the number of bytes kept in the free lists.
func (p *Pool) Held() int64 { return p.held }

// Trim releases every free tensor back to the backend.
func (p *Pool) Trim() {
	for k, l := range p.free {
		for _, t := range l {
			t.Release()
		}
		delete(p.free, k)
	}
	p.held = 0
}
