package augment

import "sync"

// scratch holds the temporary buffers of one view (resample's taps and
// row slots, Blur's plane, kernel, padded row, reflected indices, tap
// offsets and tiny-tap lists), so that a warm view allocates nothing.
// Every buffer is fully written before it is read: reuse does not change
// a result. Views take one from scratchPool and give it back.
type scratch struct {
	xs, ys       []tap
	slots        []float32 // resample's two interpolated source rows
	plane        []float32 // Apply's blur temporary
	kern, pad    []float32
	cols, rows   []int
	hOffs, vOffs []int
	head, tail   []tinyWeight
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// grow returns s resized to n, reallocating only when its capacity is short.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// b2i is 1 for true, 0 for false: an index for selecting one of several
// precomputed values without a branch that random pixels mispredict.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// hsvSector gives, for each sector i of hsvToRGB, where r, g and b come
// from among {v, p, q, t}.
var hsvSector = [6][3]uint8{
	{0, 3, 1}, // v, t, p
	{2, 0, 1}, // q, v, p
	{1, 0, 3}, // p, v, t
	{1, 2, 0}, // p, q, v
	{3, 1, 0}, // t, p, v
	{0, 1, 2}, // v, p, q
}

// lerpRow interpolates one source row at the column taps xs:
// out[k] = a + (b - a) * f with a, b the bytes at xs[k].i0 and xs[k].i1.
func lerpRow(out []float32, row []uint8, xs []tap) {
	out = out[:len(xs)]
	for k, t := range xs {
		a := float32(row[t.i0])
		out[k] = a + (float32(row[t.i1])-a)*t.f
	}
}

// blendRows sets out[k] = (top[k] + (bot[k] - top[k]) * f) / 255 (as a
// product with the float32 of 1/255, as resample always did).
func blendRows(out, top, bot []float32, f float32) {
	const inv = 1.0 / 255
	top, bot = top[:len(out)], bot[:len(out)]
	for k := range out {
		t := top[k]
		out[k] = (t + (bot[k]-t)*f) * inv
	}
}
