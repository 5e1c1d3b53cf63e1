package augment

import "sync"

// The passes of Blur. Each output value is summed over the taps in the
// same order as the straightforward loops (horizontal: 0 + k0*a0 + k1*a1
// + ...; vertical: k0*a0 + k1*a1 + ...), so the results are bit-identical
// to them; they only interleave several outputs to break the dependency
// chain of one sum and keep the sums in registers.

// blurRow sets out[x] = sum_j kern[j] * pad[x+j]; pad holds len(out) +
// len(kern) - 1 values.
func blurRow(out, pad, kern []float32) {
	k := len(kern)
	pad = pad[:len(out)+k-1]
	x := 0
	for ; x+8 <= len(out); x += 8 {
		var s0, s1, s2, s3, s4, s5, s6, s7 float32
		win := pad[x : x+k+7]
		for j, kv := range kern {
			a := win[j : j+8 : j+8]
			s0 += kv * a[0]
			s1 += kv * a[1]
			s2 += kv * a[2]
			s3 += kv * a[3]
			s4 += kv * a[4]
			s5 += kv * a[5]
			s6 += kv * a[6]
			s7 += kv * a[7]
		}
		o := out[x : x+8 : x+8]
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = s0, s1, s2, s3, s4, s5, s6, s7
	}
	for ; x < len(out); x++ {
		var s float32
		win := pad[x : x+k]
		for j, kv := range kern {
			s += kv * win[j]
		}
		out[x] = s
	}
}

// blurColumns sets out[x] = clip01(sum_j kern[j] * src[rows[j]*w + x]),
// the vertical pass for one output row; rows holds the len(kern) source
// rows (reflected) of the window.
func blurColumns(out, src []float32, rows []int, w int, kern []float32) {
	k := len(kern)
	rows = rows[:k]
	x := 0
	for ; x+8 <= w; x += 8 {
		a := src[rows[0]*w+x : rows[0]*w+x+8 : rows[0]*w+x+8]
		kv := kern[0]
		s0, s1, s2, s3 := kv*a[0], kv*a[1], kv*a[2], kv*a[3]
		s4, s5, s6, s7 := kv*a[4], kv*a[5], kv*a[6], kv*a[7]
		for j := 1; j < k; j++ {
			o := rows[j]*w + x
			a := src[o : o+8 : o+8]
			kv := kern[j]
			s0 += kv * a[0]
			s1 += kv * a[1]
			s2 += kv * a[2]
			s3 += kv * a[3]
			s4 += kv * a[4]
			s5 += kv * a[5]
			s6 += kv * a[6]
			s7 += kv * a[7]
		}
		o := out[x : x+8 : x+8]
		o[0], o[1], o[2], o[3] = clip01(s0), clip01(s1), clip01(s2), clip01(s3)
		o[4], o[5], o[6], o[7] = clip01(s4), clip01(s5), clip01(s6), clip01(s7)
	}
	for ; x < w; x++ {
		s := kern[0] * src[rows[0]*w+x]
		for j := 1; j < k; j++ {
			s += kern[j] * src[rows[j]*w+x]
		}
		out[x] = clip01(s)
	}
}

// planePool holds the scratch planes of Apply's blur, so that a view does
// not allocate one.
var planePool sync.Pool

// scratchPlane returns a pooled slice of n float32s; give it back with
// planePool.Put.
func scratchPlane(n int) *[]float32 {
	if p, ok := planePool.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n)
	return &s
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
