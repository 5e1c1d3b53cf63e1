package conformance

import (
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Convolutions against the float64-accumulating cpu references: 1x1 planes,
// kernels larger than the input, odd sizes with stride 2, asymmetric
// stride/padding, the 1x1 stride-1 GEMM path at tile edges, a 7x7 stem,
// ResNet-like 3x3 layers, and a stride larger than the kernel (stride 3 on
// a 2x3 filter: input pixels of one stride class that no tap reaches, whose
// gradient is zero). Every case stays under ~10 MFLOP per pass so that
// lavapipe runs the family in seconds.

var convCases = []engine.Conv2DParams{
	{N: 1, C: 1, H: 1, W: 1, K: 1, R: 1, S: 1, StrideH: 1, StrideW: 1},
	{N: 1, C: 2, H: 2, W: 2, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 3, C: 3, H: 7, W: 7, K: 13, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 2, C: 13, H: 9, W: 11, K: 5, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 1, C: 5, H: 4, W: 3, K: 3, R: 2, S: 3, StrideH: 1, StrideW: 2, PadH: 0, PadW: 1},
	{N: 1, C: 3, H: 13, W: 13, K: 8, R: 7, S: 7, StrideH: 2, StrideW: 2, PadH: 3, PadW: 3},
	{N: 3, C: 64, H: 8, W: 8, K: 65, R: 1, S: 1, StrideH: 1, StrideW: 1},
	{N: 2, C: 127, H: 3, W: 5, K: 129, R: 1, S: 1, StrideH: 1, StrideW: 1},
	{N: 2, C: 16, H: 9, W: 9, K: 32, R: 1, S: 1, StrideH: 2, StrideW: 2},
	{N: 2, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 2, C: 3, H: 32, W: 32, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 3, C: 32, H: 5, W: 5, K: 17, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 2, C: 5, H: 7, W: 4, K: 6, R: 2, S: 3, StrideH: 3, StrideW: 3, PadH: 1, PadW: 0},
}

// convTol allows float32 accumulation of count products of magnitude <= 1.
func convTol(count int) Tol { return Tol{Atol: 1e-6 * float64(count+2), Rtol: 1e-5} }

func init() {
	register("Conv", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(5))
		for _, p := range convCases {
			P, Q := p.OutH(), p.OutW()
			nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C*p.R*p.S, p.N*p.K*P*Q
			x, w, dy := Rand(rng, nx, -1, 1), Rand(rng, nw, -1, 1), Rand(rng, ny, -1, 1)
			name := p.String()
			t.Run("Conv2DForward/"+name, func(t *testing.T) {
				xt, wt := Upload(b, x, p.N, p.C, p.H, p.W), Upload(b, w, p.K, p.C, p.R, p.S)
				g := guardOut(b, nil, p.N, p.K, P, Q)
				b.Conv2DForward(g.t, xt, wt, p)
				want := make([]float32, ny)
				cpu.Conv2DForward(want, matmulRound(b, x), matmulRound(b, w), p)
				Close(t, "Conv2DForward", g.done(t, b, "Conv2DForward"), want, matmulTol(b, convTol(p.C*p.R*p.S)))
				xt.Release()
				wt.Release()
			})
			t.Run("Conv2DBackwardData/"+name, func(t *testing.T) {
				dyt, wt := Upload(b, dy, p.N, p.K, P, Q), Upload(b, w, p.K, p.C, p.R, p.S)
				g := guardOut(b, nil, p.N, p.C, p.H, p.W)
				b.Conv2DBackwardData(g.t, dyt, wt, p)
				want := make([]float32, nx)
				cpu.Conv2DBackwardData(want, matmulRound(b, dy), matmulRound(b, w), p)
				Close(t, "Conv2DBackwardData", g.done(t, b, "Conv2DBackwardData"), want, matmulTol(b, convTol(p.K*p.R*p.S)))
				dyt.Release()
				wt.Release()
			})
			t.Run("Conv2DBackwardFilter/"+name, func(t *testing.T) {
				dyt, xt := Upload(b, dy, p.N, p.K, P, Q), Upload(b, x, p.N, p.C, p.H, p.W)
				g := guardOut(b, nil, p.K, p.C, p.R, p.S)
				b.Conv2DBackwardFilter(g.t, dyt, xt, p)
				want := make([]float32, nw)
				cpu.Conv2DBackwardFilter(want, matmulRound(b, dy), matmulRound(b, x), p)
				Close(t, "Conv2DBackwardFilter", g.done(t, b, "Conv2DBackwardFilter"), want, matmulTol(b, convTol(p.N*P*Q)))
				dyt.Release()
				xt.Release()
			})
		}
	})
}
