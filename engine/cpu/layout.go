package cpu

import (
	"fmt"
	"sync"
	"sync/atomic"

	"simclr-vk/engine"
)

// Activation layouts. A CPU tensor's storage is a *cpuBuf that its views
// share: the values and, for activations that oneDNN's convolutions wrote
// or read in their blocked layout, a tag saying the values are stored as
// nChw16c (oneDNN's aBcd16b: images, channel blocks of 16, rows, columns,
// then the 16 channels of the block) for a logical (N, C, H, W) with
// C % 16 == 0, which holds exactly as many values as NCHW. Keeping
// activations blocked from one convolution to the next saves the
// reorders NCHW <-> nChw16c that oneDNN otherwise runs around every
// convolution (docs/performance.md, #22).
//
// data(t) is the only accessor of every other op: it converts a blocked
// buffer back to NCHW in place before returning it, so an op that knows
// nothing of layouts stays correct. The ops that understand the blocked
// layout (the oneDNN convolutions, batch norm, the ReLUs, Add, Copy, Axpy,
// global average pooling) read it raw (blockedOf, commonBlocked) and
// mark what they write with setBlocked; an op that writes a whole output
// in NCHW takes it through overwrite, which drops a stale tag without
// converting.

// blockC is the channel block of the blocked layout (nChw16c).
const blockC = 16

// nchw is a logical activation shape.
type nchw struct{ n, c, h, w int }

func (d nchw) numel() int { return d.n * d.c * d.h * d.w }

// same reports whether d and e have the same blocked layout: images,
// channels and positions per plane (the rows do not matter).
func (d nchw) same(e nchw) bool { return d.n == e.n && d.c == e.c && d.h*d.w == e.h*e.w }

// cpuBuf is the storage of a CPU tensor, shared by its views.
type cpuBuf struct {
	s []float32
	// blocked is set while s holds dims in nChw16c; mu serialises the
	// conversions. Reading is not read-only: data() and the blocked ops
	// may convert an operand in place, so, as for writes, one tensor must
	// not be used by two ops at the same time (nothing above the backend
	// does; Download from another goroutine is the exception the lock
	// covers).
	blocked atomic.Bool
	mu      sync.Mutex
	dims    nchw
}

func newBuf(n int) *cpuBuf { return &cpuBuf{s: make([]float32, n)} }

// bufOf returns t's storage, or nil for a nil t.
func bufOf(t *engine.Tensor) *cpuBuf {
	if t == nil {
		return nil
	}
	b, ok := t.Storage.(*cpuBuf)
	if !ok {
		panic(fmt.Sprintf("engine/cpu: tensor %v does not belong to the CPU backend", t))
	}
	return b
}

// data returns the float32 slice behind t in NCHW (row-major) order,
// converting a blocked buffer in place first.
func data(t *engine.Tensor) []float32 {
	b := bufOf(t)
	if b == nil {
		return nil
	}
	if b.blocked.Load() {
		b.mu.Lock()
		if b.blocked.Load() {
			unblock(b.s, b.dims, threadsOf(t))
			b.blocked.Store(false)
		}
		b.mu.Unlock()
	}
	return b.s
}

// overwrite returns t's slice for an op that overwrites all of it in
// NCHW: the layout tag is dropped without converting the old values.
func overwrite(t *engine.Tensor) []float32 {
	b := bufOf(t)
	if b == nil {
		return nil
	}
	b.blocked.Store(false)
	return b.s
}

// blockable reports whether a Float32 tensor of d's values can be held
// blocked: whole channel blocks, and the tensor is d's size.
func blockable(t *engine.Tensor, d nchw) bool {
	return t != nil && t.DType() == engine.Float32 && d.c%blockC == 0 && d.c > 0 && t.Numel() == d.numel()
}

// blockedOf returns t's raw slice and true when t holds d blocked; else
// (nil, false) and t is untouched.
func blockedOf(t *engine.Tensor, d nchw) ([]float32, bool) {
	b := bufOf(t)
	if b == nil || !b.blocked.Load() || !blockable(t, d) {
		return nil, false
	}
	b.mu.Lock()
	ok := b.blocked.Load() && b.dims.same(d)
	b.mu.Unlock()
	if !ok {
		return nil, false
	}
	return b.s, true
}

// setBlocked marks t as holding d blocked (the caller wrote it so).
func setBlocked(t *engine.Tensor, d nchw) {
	b := bufOf(t)
	b.mu.Lock()
	b.dims = d
	b.blocked.Store(true)
	b.mu.Unlock()
}

// toBlocked converts t to d blocked in place (from NCHW, or from another
// blocked shape through NCHW) and returns its raw slice; t must be
// blockable for d.
func toBlocked(t *engine.Tensor, d nchw) []float32 {
	if s, ok := blockedOf(t, d); ok {
		return s
	}
	s := data(t)
	b := bufOf(t)
	b.mu.Lock()
	block(s, d, threadsOf(t))
	b.dims = d
	b.blocked.Store(true)
	b.mu.Unlock()
	return s
}

// isBlocked returns the blocked shape of t, if it is blocked.
func isBlocked(t *engine.Tensor) (nchw, bool) {
	b := bufOf(t)
	if b == nil || !b.blocked.Load() {
		return nchw{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dims, b.blocked.Load()
}

// commonBlocked returns the blocked shape of the first of srcs that is
// held blocked, after converting the other ones to it in place, so that an
// elementwise op writing dst may run on the raw slices and mark dst with
// it (setBlocked); false, and nothing converted, where no source is
// blocked or an operand cannot take the shape (float16, another size).
func commonBlocked(dst *engine.Tensor, srcs ...*engine.Tensor) (nchw, bool) {
	var d nchw
	found := false
	for _, t := range srcs {
		if dd, ok := isBlocked(t); ok {
			d, found = dd, true
			break
		}
	}
	if !found || !blockable(dst, d) {
		return d, false
	}
	for _, t := range srcs {
		if !blockable(t, d) {
			return d, false
		}
	}
	for _, t := range srcs {
		toBlocked(t, d)
	}
	return d, true
}

// blockedUnary runs fn(dst, src) over the raw slices, in parallel
// chunks of n values, and leaves dst blocked, where src is held blocked
// and dst can be; false where it did nothing.
func (be *Backend) blockedUnary(n int, dst, src *engine.Tensor, fn func(d, s []float32)) bool {
	d, ok := commonBlocked(dst, src)
	if !ok {
		return false
	}
	s := bufOf(src).s
	dd := overwrite(dst) // after src: dst may be src
	be.chunks(n, func(lo, hi int) { fn(dd[lo:hi], s[lo:hi]) })
	setBlocked(dst, d)
	return true
}

// threadsOf is the thread count of t's backend (1 for a tensor of
// another backend, which data() refuses anyway).
func threadsOf(t *engine.Tensor) int {
	if be, ok := t.Backend().(*Backend); ok {
		return be.threads
	}
	return 1
}

// unblock converts s from nChw16c to NCHW for d, in place through a
// scratch copy of one image per thread.
func unblock(s []float32, d nchw, threads int) { permute(s, d, false, threads) }

// block converts s from NCHW to nChw16c for d, in place.
func block(s []float32, d nchw, threads int) { permute(s, d, true, threads) }

// permute converts between the layouts, per image on up to threads
// goroutines (a permutation: the result does not depend on the split).
func permute(s []float32, d nchw, toBlocked bool, threads int) {
	hw, per := d.h*d.w, d.c*d.h*d.w
	parallelN(threads, d.n, func(lo, hi int) {
		tmp := getScratch(per)
		defer putScratch(tmp)
		for i := lo; i < hi; i++ {
			dst := s[i*per : (i+1)*per]
			src := tmp[:per]
			copy(src, dst)
			for cb := 0; cb < d.c/blockC; cb++ {
				blk := cb * blockC * hw // the block's offset in both layouts
				if toBlocked {
					blockGo(dst[blk:blk+blockC*hw], src[blk:blk+blockC*hw], hw)
				} else {
					unblockGo(dst[blk:blk+blockC*hw], src[blk:blk+blockC*hw], hw)
				}
			}
		}
	})
}

// unblockGo writes the 16 planes of dst from src's hw groups of 16.
func unblockGo(dst, src []float32, hw int) {
	for j := 0; j < hw; j++ {
		v := src[j*blockC : j*blockC+blockC : j*blockC+blockC]
		for k, x := range v {
			dst[k*hw+j] = x
		}
	}
}

// blockGo is unblockGo's inverse.
func blockGo(dst, src []float32, hw int) {
	for j := 0; j < hw; j++ {
		v := dst[j*blockC : j*blockC+blockC : j*blockC+blockC]
		for k := range v {
			v[k] = src[k*hw+j]
		}
	}
}
