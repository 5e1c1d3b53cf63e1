package cpu

import "simclr-vk/engine"

// 2-D convolution (NCHW, zero padding, no bias): plain reference loops
// accumulating in float64. The Backend methods (conv_fast.go) use im2col +
// GEMM and are tested against these.

// Conv2DForward sets y (N, K, P, Q) from x (N, C, H, W) and w (K, C, R, S):
// y[n,k,p,q] = sum_{c,r,s} x[n,c,p*sh-ph+r,q*sw-pw+s] * w[k,c,r,s],
// out-of-range x being 0.
func Conv2DForward(y, x, w []float32, p engine.Conv2DParams) {
	convReference(y, x, w, [3]int{convY, convX, convW}, p)
}

// Conv2DBackwardData sets dx (N, C, H, W) = d(sum y*dy)/dx from dy (N, K,
// P, Q) and w (K, C, R, S), overwriting dx: dx[n,c,h,w] = sum over
// (k,p,q,r,s) with h = p*sh-ph+r, w = q*sw-pw+s of dy[n,k,p,q] * w[k,c,r,s].
func Conv2DBackwardData(dx, dy, w []float32, p engine.Conv2DParams) {
	convReference(dx, dy, w, [3]int{convX, convY, convW}, p)
}

// Conv2DBackwardFilter sets dw (K, C, R, S) = d(sum y*dy)/dw from dy (N,
// K, P, Q) and x (N, C, H, W), overwriting dw:
// dw[k,c,r,s] = sum_{n,p,q} dy[n,k,p,q] * x[n,c,p*sh-ph+r,q*sw-pw+s].
func Conv2DBackwardFilter(dw, dy, x []float32, p engine.Conv2DParams) {
	convReference(dw, dy, x, [3]int{convW, convY, convX}, p)
}

// The operands of a convolution, as indices of convReference's roles.
const (
	convY = iota // y or dy (N, K, P, Q)
	convX        // x or dx (N, C, H, W)
	convW        // w or dw (K, C, R, S)
)

// convReference sets out = sum a*b over the products of one convolution
// pass, accumulated in float64: roles names which operand (convY, convX,
// convW) out, a and b are. The products are taken for every in-range (n, k,
// oh, ow, c, r, s) in that nesting order, so each entry of out receives its
// terms in the order of the remaining indices, as a loop nest dedicated to
// that entry would.
func convReference(out, a, b []float32, roles [3]int, p engine.Conv2DParams) {
	P, Q := p.OutH(), p.OutW()
	acc := make([]float64, len(out))
	var ix [3]int // the current y, x and w indices
	for n := 0; n < p.N; n++ {
		for k := 0; k < p.K; k++ {
			for oh := 0; oh < P; oh++ {
				rlo, rhi := windowTaps(oh, p.StrideH, p.PadH, p.R, p.H)
				for ow := 0; ow < Q; ow++ {
					slo, shi := windowTaps(ow, p.StrideW, p.PadW, p.S, p.W)
					ix[convY] = ((n*p.K+k)*P+oh)*Q + ow
					for c := 0; c < p.C; c++ {
						for r := rlo; r < rhi; r++ {
							xrow := ((n*p.C+c)*p.H+oh*p.StrideH-p.PadH+r)*p.W + ow*p.StrideW - p.PadW
							for s := slo; s < shi; s++ {
								ix[convX], ix[convW] = xrow+s, ((k*p.C+c)*p.R+r)*p.S+s
								acc[ix[roles[0]]] += float64(a[ix[roles[1]]]) * float64(b[ix[roles[2]]])
							}
						}
					}
				}
			}
		}
	}
	for i, v := range acc {
		out[i] = float32(v)
	}
}

// windowTaps returns the taps [lo, hi) of a window of size k at output
// position o whose input position o*stride-pad+tap lies in [0, size)
// (hi <= lo: none).
func windowTaps(o, stride, pad, k, size int) (lo, hi int) {
	base := o*stride - pad
	return max(0, -base), min(k, size-base)
}
