package cpu

import (
	"fmt"

	"simclr-vk/engine"
)

// Winograd F(m x m, 3x3) convolution (Lavin & Gray 2016), m = 2 or 4, the
// reference for the Vulkan backend's winograd kernels
// (shaders/winograd_*.comp): every m x m block of outputs of a 3x3,
// stride-1 convolution comes from an alpha x alpha input patch d (alpha =
// m + 2) and the filter g as
//
//	Y = A^T [ (G g G^T) .* (B^T d B) ] A
//
// with alpha^2 multiplies instead of 9 m^2 (16 for 36 at m = 2, 36 for 144
// at m = 4); over channels the elementwise products become alpha^2
// independent GEMMs M[xi] (K, T) = U[xi] (K, C) * V[xi] (C, T),
// T = N * ceil(P/m) * ceil(Q/m) tiles. F(4x4, 3x3) rounds more (its
// transforms have entries up to 8): about 10x F(2x2, 3x3)'s error. The transforms here are plain
// loops in float64, rounded once; the whole is checked against
// Conv2DForward / Conv2DBackwardData.
//
// The CPU Backend itself does not use Winograd: a float32 version with
// blocks of 2048 tiles and the 16 GEMMs on OpenBLAS ran ResNet-18's 3x3
// stride-1 layers at 0.12-0.74x of im2col + one OpenBLAS GEMM on 2 cores
// (batch 32, widths 16 and 64: the shallow GEMMs and the transforms'
// scattered stores cost more than the 2.25x fewer multiply-adds save).
//
// F(2x2, 3x3):
//
//	B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//	A^T = [1 1 1 0; 0 1 -1 -1]
//
// F(4x4, 3x3): winoF[4]. The geometry (engine.WinogradEligible,
// engine.WinogradTiles, engine.WinogradDataParams) is in package engine,
// shared with the Vulkan backend.

// winoMats are the transforms of F(m x m, 3x3): alpha = m + 2 points.
type winoMats struct {
	BT [][]float64 // alpha x alpha
	G  [][]float64 // alpha x 3
	AT [][]float64 // m x alpha
}

var winoF = map[int]winoMats{
	2: {
		BT: [][]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
		G:  [][]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
		AT: [][]float64{{1, 1, 1, 0}, {0, 1, -1, -1}},
	},
	// Points 0, 1, -1, 2, -2 and infinity (Lavin & Gray's F(4x4, 3x3)).
	4: {
		BT: [][]float64{
			{4, 0, -5, 0, 1, 0},
			{0, -4, -4, 1, 1, 0},
			{0, 4, -4, -1, 1, 0},
			{0, -2, -1, 2, 1, 0},
			{0, 2, -1, -2, 1, 0},
			{0, 4, 0, -5, 0, 1},
		},
		G: [][]float64{
			{1.0 / 4, 0, 0},
			{-1.0 / 6, -1.0 / 6, -1.0 / 6},
			{-1.0 / 6, 1.0 / 6, -1.0 / 6},
			{1.0 / 24, 1.0 / 12, 1.0 / 6},
			{1.0 / 24, -1.0 / 12, 1.0 / 6},
			{0, 0, 1},
		},
		AT: [][]float64{
			{1, 1, 1, 1, 1, 0},
			{0, 1, -1, 2, -2, 0},
			{0, 1, 1, 4, 4, 0},
			{0, 1, -1, 8, -8, 1},
		},
	},
}

func winoMatsFor(op string, m int) winoMats {
	w, ok := winoF[m]
	if !ok {
		panic(fmt.Sprintf("cpu: %s: no Winograd F(%dx%d, 3x3) (tile sizes %v)", op, m, m, engine.WinogradTileSizes))
	}
	return w
}

func winogradCheck(op string, p engine.Conv2DParams) {
	if !engine.WinogradEligible(p) {
		panic(fmt.Sprintf("cpu: %s: %v is not a 3x3 stride-1 convolution with padding <= 2", op, p))
	}
}

// WinogradFilterTransform sets, for F(m x m, 3x3) with alpha = m + 2,
// u[xi, k, c] = (G g G^T)[xi] for g = w[k, c] (flip false), or, for the
// backward-data pass (flip true), u[xi, c, k] = (G g' G^T)[xi] with
// g'[r, s] = w[k, c, 2-r, 2-s]; xi < alpha^2.
func WinogradFilterTransform(
	u /* (alpha^2, K, C), or (alpha^2, C, K) when flip */ []float32,
	w /* (K, C, 3, 3) */ []float32,
	k, c int, flip bool, m int) {
	wm := winoMatsFor("WinogradFilterTransform", m)
	al := m + 2
	for ko := 0; ko < k; ko++ {
		for ci := 0; ci < c; ci++ {
			var g [3][3]float64
			for r := 0; r < 3; r++ {
				for s := 0; s < 3; s++ {
					v := float64(w[((ko*c+ci)*3+r)*3+s])
					if flip {
						g[2-r][2-s] = v
					} else {
						g[r][s] = v
					}
				}
			}
			for i := 0; i < al; i++ {
				for j := 0; j < al; j++ {
					s := 0.0 // (G g G^T)[i][j]
					for a := 0; a < 3; a++ {
						for b := 0; b < 3; b++ {
							s += wm.G[i][a] * g[a][b] * wm.G[j][b]
						}
					}
					idx := (i*al+j)*k*c + ko*c + ci
					if flip {
						idx = (i*al+j)*k*c + ci*k + ko
					}
					u[idx] = float32(s)
				}
			}
		}
	}
}

// WinogradInputTransform sets v[xi, c, t] = (B^T d B)[xi] for the
// alpha x alpha patch d of x[n, c] at rows m*tp - pad_h.. and columns
// m*tq - pad_w.. (zero outside), tile t = (n*TP + tp)*TQ + tq.
func WinogradInputTransform(
	v /* (alpha^2, C, T) */ []float32,
	x /* (N, C, H, W) */ []float32,
	p engine.Conv2DParams, m int) {
	winogradCheck("WinogradInputTransform", p)
	tileTransform(v, x, p, p.C, p.H, p.W, p.PadH, p.PadW, m, winoMatsFor("WinogradInputTransform", m).BT)
}

// tileTransform sets out[xi, c, t] = (L d L^T)[xi], xi = i*alpha + j
// (alpha = len(L)), for the s x s patch d (s = len(L[0])) of each plane c
// of img (N, planes, h, w) at rows m*tp - padH.. and columns m*tq - padW..
// (zero outside), tile t = (n*TP + tp)*TQ + tq of p's tiling: the input
// transform (L = B^T) and the gradient transform (L = A) in float64.
func tileTransform(out, img []float32, p engine.Conv2DParams, planes, h, w, padH, padW, m int, l [][]float64) {
	al, sz := len(l), len(l[0])
	TP, TQ := engine.WinogradTiles(p, m)
	T := p.N * TP * TQ
	d := make([]float64, sz*sz)
	for n := 0; n < p.N; n++ {
		for c := 0; c < planes; c++ {
			plane := img[(n*planes+c)*h*w : (n*planes+c+1)*h*w]
			for tp := 0; tp < TP; tp++ {
				for tq := 0; tq < TQ; tq++ {
					for a := 0; a < sz; a++ {
						for b := 0; b < sz; b++ {
							d[a*sz+b] = 0
							if ih, iw := m*tp-padH+a, m*tq-padW+b; ih >= 0 && ih < h && iw >= 0 && iw < w {
								d[a*sz+b] = float64(plane[ih*w+iw])
							}
						}
					}
					t := (n*TP+tp)*TQ + tq
					for i := 0; i < al; i++ {
						for j := 0; j < al; j++ {
							s := 0.0 // (L d L^T)[i][j]
							for a := 0; a < sz; a++ {
								for b := 0; b < sz; b++ {
									s += l[i][a] * d[a*sz+b] * l[j][b]
								}
							}
							out[((i*al+j)*planes+c)*T+t] = float32(s)
						}
					}
				}
			}
		}
	}
}

// WinogradOutputTransform sets the m x m block of y[n, k] at
// (m*tp, m*tq) (the part inside P x Q) to A^T M A, M[xi] = mt[xi, k, t].
func WinogradOutputTransform(
	y /* (N, K, P, Q) */ []float32,
	mt /* (alpha^2, K, T) */ []float32,
	p engine.Conv2DParams, m int) {
	winogradCheck("WinogradOutputTransform", p)
	wm := winoMatsFor("WinogradOutputTransform", m)
	al := m + 2
	P, Q := p.OutH(), p.OutW()
	TP, TQ := engine.WinogradTiles(p, m)
	T := p.N * TP * TQ
	for n := 0; n < p.N; n++ {
		for k := 0; k < p.K; k++ {
			for tp := 0; tp < TP; tp++ {
				for tq := 0; tq < TQ; tq++ {
					t := (n*TP+tp)*TQ + tq
					for i := 0; i < m; i++ {
						for j := 0; j < m; j++ {
							oh, ow := m*tp+i, m*tq+j
							if oh >= P || ow >= Q {
								continue
							}
							s := 0.0 // (A^T M A)[i][j]
							for a := 0; a < al; a++ {
								for b := 0; b < al; b++ {
									s += wm.AT[i][a] * float64(mt[((a*al+b)*p.K+k)*T+t]) * wm.AT[j][b]
								}
							}
							y[((n*p.K+k)*P+oh)*Q+ow] = float32(s)
						}
					}
				}
			}
		}
	}
}

// Conv2DForwardWinograd is Conv2DForward for eligible p through the three
// F(m x m, 3x3) transforms and alpha^2 GEMMs (reference composition of the
// Vulkan path).
func Conv2DForwardWinograd(
	y /* (N, K, P, Q) */ []float32,
	x /* (N, C, H, W) */ []float32,
	w /* (K, C, 3, 3) */ []float32,
	p engine.Conv2DParams, m int) {
	winogradCheck("Conv2DForwardWinograd", p)
	winogradConv(y, x, w, p, false, m)
}

// Conv2DBackwardDataWinograd is Conv2DBackwardData for eligible p: the
// forward Winograd convolution of engine.WinogradDataParams(p) with the flipped
// filter transform.
func Conv2DBackwardDataWinograd(
	dx /* (N, C, H, W) */ []float32,
	dy /* (N, K, P, Q) */ []float32,
	w /* (K, C, 3, 3) */ []float32,
	p engine.Conv2DParams, m int) {
	winogradCheck("Conv2DBackwardDataWinograd", p)
	winogradConv(dx, dy, w, engine.WinogradDataParams(p), true, m)
}

// winogradConv computes the forward convolution q of src into dst with
// the filter w stored (q.K, q.C, 3, 3), or, with flip, (q.C, q.K, 3, 3)
// applied flipped and transposed.
func winogradConv(dst, src, w []float32, q engine.Conv2DParams, flip bool, m int) {
	a2 := (m + 2) * (m + 2)
	TP, TQ := engine.WinogradTiles(q, m)
	T := q.N * TP * TQ
	u := make([]float32, a2*q.K*q.C)
	v := make([]float32, a2*q.C*T)
	mt := make([]float32, a2*q.K*T)
	fk, fc := q.K, q.C
	if flip {
		fk, fc = q.C, q.K
	}
	WinogradFilterTransform(u, w, fk, fc, flip, m)
	WinogradInputTransform(v, src, q, m)
	GemmBatched(false, false, a2, q.K, T, q.C, 1, u, v, 0, mt)
	WinogradOutputTransform(dst, mt, q, m)
}

// The filter gradient through Winograd F(3x3, m x m), m = 2 or 4, the
// transpose of F(m x m, 3x3): for each m x m tile e of dy and its alpha x
// alpha input patch d (the forward's patches, alpha = m + 2),
//
//	dW += G^T [ (A e A^T) .* (B^T d B) ] G
//
// with the A, B and G of F(m x m, 3x3) (A = (A^T)^T), summed over tiles and
// images, so the sum becomes alpha^2 GEMMs M[xi] (K, C) = DY[xi] (K, T) *
// V[xi]^T (T, C) over the forward's input transform V: 16 for 36
// multiply-adds per tile and channel pair at m = 2 (2.25x fewer), 36 for
// 144 at m = 4 (4x fewer, about 10x the rounding error).

// WinogradGradTransform sets, for F(3x3, m x m), g[xi, k, t] = (A e
// A^T)[xi] for the m x m block e of dy[n, k] at (m*tp, m*tq) (zero
// outside P x Q).
func WinogradGradTransform(
	g /* (alpha^2, K, T) */ []float32,
	dy /* (N, K, P, Q) */ []float32,
	p engine.Conv2DParams, m int) {
	winogradCheck("WinogradGradTransform", p)
	at := winoMatsFor("WinogradGradTransform", m).AT
	a := make([][]float64, m+2) // A = (A^T)^T
	for xa := range a {
		a[xa] = make([]float64, m)
		for i := range a[xa] {
			a[xa][i] = at[i][xa]
		}
	}
	tileTransform(g, dy, p, p.K, p.OutH(), p.OutW(), 0, 0, m, a)
}

// WinogradFilterGradTransform sets, for F(3x3, m x m), dw[k, c] = G^T mt
// G with mt[xi] = mt[xi, k, c].
func WinogradFilterGradTransform(
	dw /* (K, C, 3, 3) */ []float32,
	mt /* (alpha^2, K, C) */ []float32,
	k, c, m int) {
	g := winoMatsFor("WinogradFilterGradTransform", m).G
	a := m + 2
	for ko := 0; ko < k; ko++ {
		for ci := 0; ci < c; ci++ {
			for r := 0; r < 3; r++ {
				for s := 0; s < 3; s++ {
					v := 0.0
					for xa := 0; xa < a; xa++ {
						for xb := 0; xb < a; xb++ {
							v += g[xa][r] * float64(mt[((xa*a+xb)*k+ko)*c+ci]) * g[xb][s]
						}
					}
					dw[((ko*c+ci)*3+r)*3+s] = float32(v)
				}
			}
		}
	}
}

// Conv2DBackwardFilterWinograd is Conv2DBackwardFilter for eligible p
// through F(3x3, m x m).
func Conv2DBackwardFilterWinograd(
	dw /* (K, C, 3, 3) */ []float32,
	dy /* (N, K, P, Q) */ []float32,
	x /* (N, C, H, W) */ []float32,
	p engine.Conv2DParams, m int) {
	winogradCheck("Conv2DBackwardFilterWinograd", p)
	TP, TQ := engine.WinogradTiles(p, m)
	T := p.N * TP * TQ
	a2 := (m + 2) * (m + 2)
	v := make([]float32, a2*p.C*T)
	g := make([]float32, a2*p.K*T)
	mt := make([]float32, a2*p.K*p.C)
	WinogradInputTransform(v, x, p, m)
	WinogradGradTransform(g, dy, p, m)
	GemmBatched(false, true, a2, p.K, p.C, T, 1, g, v, 0, mt)
	WinogradFilterGradTransform(dw, mt, p.K, p.C, m)
}
