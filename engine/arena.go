package engine

// Arena records tensors allocated for one piece of work (a training step)
// so that they can all be released together.
type Arena struct {
	b  Backend
	ts []*Tensor
}

// NewArena returns an empty arena allocating from b.
func NewArena(b Backend) *Arena { return &Arena{b: b} }

// New allocates a zeroed tensor that ReleaseAll will free.
func (a *Arena) New(shape ...int) *Tensor {
	t := a.b.New(shape...)
	a.ts = append(a.ts, t)
	return t
}

// Adopt makes the arena responsible for releasing t.
func (a *Arena) Adopt(t *Tensor) *Tensor {
	a.ts = append(a.ts, t)
	return t
}

// Len is the number of tensors held.
func (a *Arena) Len() int { return len(a.ts) }

// ReleaseAll releases every tensor the arena holds (once) and empties it.
func (a *Arena) ReleaseAll() {
	for _, t := range a.ts {
		t.Release()
	}
	a.ts = a.ts[:0]
}
