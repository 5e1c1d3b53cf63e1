package cpu

import "simclr-vk/engine"

// Global average pooling of activations held in nChw16c (layout.go): the
// same float64 sums over each plane's positions in order as rowSums and
// avgPoolBackPlanes, so the results are bit-identical to the NCHW path.

// avgPoolBlocked reports the blocked shape of x for (n, c, hw), if x is
// held so.
func avgPoolBlocked(x *engine.Tensor, n, c, hw int) (nchw, bool) {
	d, ok := isBlocked(x)
	return d, ok && d.same(nchw{n, c, hw, 1})
}

// avgPoolForwardBlocked sets y (n, c) to the plane means of x, blocked
// as d, for the units (image, channel block) [lo, hi).
func avgPoolForwardBlocked(y, x []float32, d nchw, lo, hi int) {
	hw, cb := d.h*d.w, d.c/blockC
	for u := lo; u < hi; u++ {
		var s [blockC]float64
		for j := 0; j < hw; j++ {
			for k, v := range x[(u*hw+j)*blockC:][:blockC] {
				s[k] += float64(v)
			}
		}
		i, ch := u/cb, (u%cb)*blockC
		for k := range s {
			y[i*d.c+ch+k] = float32(s[k] / float64(hw))
		}
	}
}

// avgPoolBackwardBlocked writes dx, blocked as d, from dy (n, c) for the
// units [lo, hi).
func avgPoolBackwardBlocked(dx, dy []float32, d nchw, lo, hi int) {
	hw, cb := d.h*d.w, d.c/blockC
	for u := lo; u < hi; u++ {
		var v [blockC]float32
		i, ch := u/cb, (u%cb)*blockC
		for k := range v {
			v[k] = float32(float64(dy[i*d.c+ch+k]) / float64(hw))
		}
		for j := 0; j < hw; j++ {
			copy(dx[(u*hw+j)*blockC:][:blockC], v[:])
		}
	}
}
