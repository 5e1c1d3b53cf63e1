package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Tensor is a dense float32 array living on one Backend (or, made by a
// Float16Storer, one stored as float16: DType). Its storage is
// owned by the backend; Release returns it. A view (Reshape) shares the
// storage of its base and must not be released on its own.
type Tensor struct {
	shape   []int
	numel   int
	backend Backend
	// Storage is the backend's private handle to the memory (on the CPU
	// backend a buffer shared by the views, which may hold its values in a
	// blocked layout; a sub-allocation on Vulkan). Only the owning backend
	// looks inside.
	Storage any
	base    *Tensor // non-nil for views
	freed   bool
	dtype   DType // Float32 unless made by NewTensorOf (dtype.go)
}

// NewTensor is called by backends to wrap a storage handle. Users call
// Backend.New instead.
func NewTensor(b Backend, storage any, shape ...int) *Tensor {
	n := CheckShape("NewTensor", shape)
	return &Tensor{shape: append([]int(nil), shape...), numel: n, backend: b, Storage: storage}
}

// CheckShape panics with an "engine: <op>: ..." message unless shape is a
// non-empty list of positive dimensions, and returns its element count.
// Backends call it in New before sizing the storage.
func CheckShape(op string, shape []int) int {
	if len(shape) == 0 {
		panic(fmt.Sprintf("engine: %s: empty shape", op))
	}
	n := 1
	for _, d := range shape {
		if d <= 0 {
			panic(fmt.Sprintf("engine: %s: non-positive dimension in shape %v", op, shape))
		}
		if n > math.MaxInt/d {
			panic(fmt.Sprintf("engine: %s: shape %v has more elements than an int holds", op, shape))
		}
		n *= d
	}
	return n
}

// Shape returns a copy of the tensor's shape.
func (t *Tensor) Shape() []int { return append([]int(nil), t.shape...) }

// Dim returns dimension i (negative i counts from the end).
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.shape)
	}
	return t.shape[i]
}

// Rank is the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// Numel is the number of elements.
func (t *Tensor) Numel() int { return t.numel }

// Bytes is the size of the data in bytes (2 per element for Float16).
func (t *Tensor) Bytes() int { return t.dtype.Size() * t.numel }

// Backend returns the backend that owns the tensor.
func (t *Tensor) Backend() Backend { return t.backend }

// Base returns the tensor that owns the storage (t itself unless t is a view).
func (t *Tensor) Base() *Tensor {
	if t.base != nil {
		return t.base
	}
	return t
}

// IsView reports whether t shares the storage of another tensor.
func (t *Tensor) IsView() bool { return t.base != nil }

// Released reports whether the storage has been returned to the backend.
func (t *Tensor) Released() bool { return t.Base().freed }

// MarkReleased is called by backends when they free the storage.
func (t *Tensor) MarkReleased() { t.freed = true }

// Reshape returns a view with another shape and the same number of elements.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	n := CheckShape("Reshape", shape)
	if n != t.numel {
		panic(fmt.Sprintf("engine: Reshape: %v has %d elements, %v has %d", t.shape, t.numel, shape, n))
	}
	return &Tensor{shape: append([]int(nil), shape...), numel: n, backend: t.backend, Storage: t.Storage, base: t.Base(), dtype: t.dtype}
}

// Release returns the storage to the backend. Releasing a view panics;
// releasing twice is a no-op.
func (t *Tensor) Release() {
	if t == nil {
		return
	}
	if t.base != nil {
		panic("engine: Release: tensor is a view; release its base")
	}
	if t.freed {
		return
	}
	t.backend.Release(t)
}

func (t *Tensor) String() string {
	s := make([]string, len(t.shape))
	for i, d := range t.shape {
		s[i] = fmt.Sprint(d)
	}
	if t.dtype != Float32 {
		return "Tensor(" + strings.Join(s, "x") + " " + t.dtype.String() + ")"
	}
	return "Tensor(" + strings.Join(s, "x") + ")"
}

// SameShape reports whether two shapes are equal.
func SameShape(a, b []int) bool { return slices.Equal(a, b) }
