package cpu

import (
	"math"

	"simclr-vk/engine"
)

// Max pooling with argmax, and global average pooling. The references are
// plain loops; the Backend methods split independent (n, c) planes over
// goroutines with the same per-plane code, so they match them bit for bit.

// MaxPool2DForward sets y[n,c,p,q] (y and argmax are (N, C, P, Q), x is
// (N, C, H, W)) to the maximum of x over the window at (p*sh-ph, q*sw-pw)
// of size KH x KW, padding being -inf, and argmax to the index h*W+w of the
// first maximum in row-major window order (the first in-range element
// starts the search, so a NaN there is kept).
func MaxPool2DForward(y, argmax, x []float32, p engine.Pool2DParams) {
	maxPoolPlanes(y, argmax, x, p, 0, p.N*p.C)
}

func maxPoolPlanes(y, argmax, x []float32, p engine.Pool2DParams, lo, hi int) {
	P, Q := p.OutH(), p.OutW()
	for pl := lo; pl < hi; pl++ {
		xp := x[pl*p.H*p.W : (pl+1)*p.H*p.W]
		for oh := 0; oh < P; oh++ {
			rlo, rhi := windowTaps(oh, p.StrideH, p.PadH, p.KH, p.H)
			for ow := 0; ow < Q; ow++ {
				slo, shi := windowTaps(ow, p.StrideW, p.PadW, p.KW, p.W)
				best, idx := float32(math.Inf(-1)), -1
				for r := rlo; r < rhi; r++ {
					ih := oh*p.StrideH - p.PadH + r
					for s := slo; s < shi; s++ {
						iw := ow*p.StrideW - p.PadW + s
						if v := xp[ih*p.W+iw]; idx < 0 || v > best {
							best, idx = v, ih*p.W+iw
						}
					}
				}
				o := (pl*P+oh)*Q + ow
				y[o] = best
				argmax[o] = float32(idx)
			}
		}
	}
}

// MaxPool2DBackward sets dx (N, C, H, W) (overwritten) to the sum of dy
// (N, C, P, Q) over the outputs whose argmax (N, C, P, Q) selected each
// input element.
func MaxPool2DBackward(dx, dy, argmax []float32, p engine.Pool2DParams) {
	maxPoolBackPlanes(dx, dy, argmax, p, 0, p.N*p.C)
}

func maxPoolBackPlanes(dx, dy, argmax []float32, p engine.Pool2DParams, lo, hi int) {
	pq, hw := p.OutH()*p.OutW(), p.H*p.W
	for pl := lo; pl < hi; pl++ {
		dxp := dx[pl*hw : (pl+1)*hw]
		clear(dxp)
		for o := pl * pq; o < (pl+1)*pq; o++ {
			dxp[int(argmax[o])] += dy[o]
		}
	}
}

// GlobalAvgPoolForward sets y[i,c] = mean_j x[i,c,j] (float64 sum).
func GlobalAvgPoolForward(y /* (n, c) */, x /* (n, c, hw) */ []float32, n, c, hw int) {
	rowSums(y, x, hw, 0, n*c, float64(hw))
}

// GlobalAvgPoolBackward sets dx[i,c,j] = dy[i,c] / hw.
func GlobalAvgPoolBackward(dx /* (n, c, hw) */, dy /* (n, c) */ []float32, n, c, hw int) {
	avgPoolBackPlanes(dx, dy, hw, 0, n*c)
}

func avgPoolBackPlanes(dx, dy []float32, hw, lo, hi int) {
	for pl := lo; pl < hi; pl++ {
		v := float32(float64(dy[pl]) / float64(hw))
		row := dx[pl*hw : (pl+1)*hw]
		for j := range row {
			row[j] = v
		}
	}
}

// The pools take their activations (x and y, dy and dx) float16 or
// neither; argmax stays float32. A float16 output is rounded once (the
// max-pool forward's is exact already: a selection of float16 values).
func (be *Backend) MaxPool2DForward(y, argmax, x *engine.Tensor, p engine.Pool2DParams) {
	p.Validate("MaxPool2DForward")
	engine.CheckBackend("MaxPool2DForward", be, y, argmax, x)
	out := p.N * p.C * p.OutH() * p.OutW()
	engine.CheckNumelOf("MaxPool2DForward", "x", x, p.N*p.C*p.H*p.W, f32or16...)
	engine.CheckNumelAs("MaxPool2DForward", "y", y, out, "x", x)
	engine.CheckNumel("MaxPool2DForward", "argmax", argmax, out)
	yd, ad, xd := data(y), data(argmax), data(x)
	be.parallelIf(out*p.KH*p.KW, p.N*p.C, func(lo, hi int) { maxPoolPlanes(yd, ad, xd, p, lo, hi) })
}

func (be *Backend) MaxPool2DBackward(dx, dy, argmax *engine.Tensor, p engine.Pool2DParams) {
	p.Validate("MaxPool2DBackward")
	engine.CheckBackend("MaxPool2DBackward", be, dx, dy, argmax)
	out := p.N * p.C * p.OutH() * p.OutW()
	engine.CheckNumelOf("MaxPool2DBackward", "dy", dy, out, f32or16...)
	engine.CheckNumelAs("MaxPool2DBackward", "dx", dx, p.N*p.C*p.H*p.W, "dy", dy)
	engine.CheckNumel("MaxPool2DBackward", "argmax", argmax, out)
	dxd, dyd, ad := data(dx), data(dy), data(argmax)
	be.parallelIf(dx.Numel(), p.N*p.C, func(lo, hi int) { maxPoolBackPlanes(dxd, dyd, ad, p, lo, hi) })
	be.roundOut16(dx)
}

func (be *Backend) GlobalAvgPoolForward(y, x *engine.Tensor, n, c, hw int) {
	engine.CheckSizes("GlobalAvgPoolForward", "n c hw", n, c, hw)
	engine.CheckBackend("GlobalAvgPoolForward", be, y, x)
	engine.CheckNumelOf("GlobalAvgPoolForward", "x", x, n*c*hw, f32or16...)
	engine.CheckNumelAs("GlobalAvgPoolForward", "y", y, n*c, "x", x)
	if d, ok := avgPoolBlocked(x, n, c, hw); ok {
		xd, yd := bufOf(x).s, overwrite(y)
		be.parallelIf(n*c*hw, n*c/blockC, func(lo, hi int) { avgPoolForwardBlocked(yd, xd, d, lo, hi) })
		be.roundOut16(y)
		return
	}
	xd := data(x)
	yd := overwrite(y)
	be.parallelIf(n*c*hw, n*c, func(lo, hi int) { rowSums(yd, xd, hw, lo, hi, float64(hw)) })
	be.roundOut16(y)
}

func (be *Backend) GlobalAvgPoolBackward(dx, dy *engine.Tensor, n, c, hw int) {
	engine.CheckSizes("GlobalAvgPoolBackward", "n c hw", n, c, hw)
	engine.CheckBackend("GlobalAvgPoolBackward", be, dx, dy)
	engine.CheckNumelOf("GlobalAvgPoolBackward", "dy", dy, n*c, f32or16...)
	engine.CheckNumelAs("GlobalAvgPoolBackward", "dx", dx, n*c*hw, "dy", dy)
	dyd := data(dy)
	if be.onednn != nil && dx.DType() == engine.Float32 && c%blockC == 0 && hw > 1 {
		// Blocked like the pooled activation usually was: the layout
		// the oneDNN convolutions before it take.
		d := nchw{n, c, hw, 1}
		if xd, ok := isBlocked(dx); ok && xd.same(d) {
			d = xd
		}
		dxd := overwrite(dx)
		be.parallelIf(n*c*hw, n*c/blockC, func(lo, hi int) { avgPoolBackwardBlocked(dxd, dyd, d, lo, hi) })
		setBlocked(dx, d)
		return
	}
	dxd := overwrite(dx)
	be.parallelIf(n*c*hw, n*c, func(lo, hi int) { avgPoolBackPlanes(dxd, dyd, hw, lo, hi) })
	be.roundOut16(dx)
}
