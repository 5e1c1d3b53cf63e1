package cpu

import "simclr-vk/engine"

// 2-D convolution (NCHW, zero padding, no bias): plain reference loops
// accumulating in float64. The Backend methods (conv_fast.go) use im2col +
// GEMM and are tested against these.

// Conv2DForward sets y[n,k,p,q] = sum_{c,r,s} x[n,c,p*sh-ph+r,q*sw-pw+s] *
// w[k,c,r,s], out-of-range x being 0.
func Conv2DForward(
	y /* (N, K, P, Q) */ []float32,
	x /* (N, C, H, W) */ []float32,
	w /* (K, C, R, S) */ []float32,
	p engine.Conv2DParams) {
	P, Q := p.OutH(), p.OutW()
	for n := 0; n < p.N; n++ {
		for k := 0; k < p.K; k++ {
			for oh := 0; oh < P; oh++ {
				for ow := 0; ow < Q; ow++ {
					s := 0.0
					for c := 0; c < p.C; c++ {
						for r := 0; r < p.R; r++ {
							ih := oh*p.StrideH - p.PadH + r
							if ih < 0 || ih >= p.H {
								continue
							}
							for q := 0; q < p.S; q++ {
								iw := ow*p.StrideW - p.PadW + q
								if iw < 0 || iw >= p.W {
									continue
								}
								s += float64(x[((n*p.C+c)*p.H+ih)*p.W+iw]) * float64(w[((k*p.C+c)*p.R+r)*p.S+q])
							}
						}
					}
					y[((n*p.K+k)*P+oh)*Q+ow] = float32(s)
				}
			}
		}
	}
}

// Conv2DBackwardData sets dx = d(sum y*dy)/dx, overwriting dx:
// dx[n,c,h,w] = sum over (k,p,q,r,s) with h = p*sh-ph+r, w = q*sw-pw+s of
// dy[n,k,p,q] * w[k,c,r,s].
func Conv2DBackwardData(
	dx /* (N, C, H, W) */ []float32,
	dy /* (N, K, P, Q) */ []float32,
	w /* (K, C, R, S) */ []float32,
	p engine.Conv2DParams) {
	P, Q := p.OutH(), p.OutW()
	plane := p.C * p.H * p.W
	acc := make([]float64, plane)
	for n := 0; n < p.N; n++ {
		clear(acc)
		for k := 0; k < p.K; k++ {
			for oh := 0; oh < P; oh++ {
				for ow := 0; ow < Q; ow++ {
					g := float64(dy[((n*p.K+k)*P+oh)*Q+ow])
					for c := 0; c < p.C; c++ {
						for r := 0; r < p.R; r++ {
							ih := oh*p.StrideH - p.PadH + r
							if ih < 0 || ih >= p.H {
								continue
							}
							for q := 0; q < p.S; q++ {
								iw := ow*p.StrideW - p.PadW + q
								if iw < 0 || iw >= p.W {
									continue
								}
								acc[(c*p.H+ih)*p.W+iw] += g * float64(w[((k*p.C+c)*p.R+r)*p.S+q])
							}
						}
					}
				}
			}
		}
		for i, v := range acc {
			dx[n*plane+i] = float32(v)
		}
	}
}

// Conv2DBackwardFilter sets dw = d(sum y*dy)/dw, overwriting dw:
// dw[k,c,r,s] = sum_{n,p,q} dy[n,k,p,q] * x[n,c,p*sh-ph+r,q*sw-pw+s].
func Conv2DBackwardFilter(
	dw /* (K, C, R, S) */ []float32,
	dy /* (N, K, P, Q) */ []float32,
	x /* (N, C, H, W) */ []float32,
	p engine.Conv2DParams) {
	P, Q := p.OutH(), p.OutW()
	for k := 0; k < p.K; k++ {
		for c := 0; c < p.C; c++ {
			for r := 0; r < p.R; r++ {
				for q := 0; q < p.S; q++ {
					s := 0.0
					for n := 0; n < p.N; n++ {
						for oh := 0; oh < P; oh++ {
							ih := oh*p.StrideH - p.PadH + r
							if ih < 0 || ih >= p.H {
								continue
							}
							for ow := 0; ow < Q; ow++ {
								iw := ow*p.StrideW - p.PadW + q
								if iw < 0 || iw >= p.W {
									continue
								}
								s += float64(dy[((n*p.K+k)*P+oh)*Q+ow]) * float64(x[((n*p.C+c)*p.H+ih)*p.W+iw])
							}
						}
					}
					dw[((k*p.C+c)*p.R+r)*p.S+q] = float32(s)
				}
			}
		}
	}
}
