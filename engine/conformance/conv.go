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
			xs, ws, ys := []int{p.N, p.C, p.H, p.W}, []int{p.K, p.C, p.R, p.S}, []int{p.N, p.K, P, Q}
			for _, c := range []struct {
				op     string
				run    func(out, a, b *engine.Tensor, p engine.Conv2DParams)
				ref    func(out, a, b []float32, p engine.Conv2DParams)
				out    []int // the output's shape, then the inputs and their shapes
				in     [2][]float32
				shapes [2][]int
				terms  int // products summed per output
			}{
				{"Conv2DForward", b.Conv2DForward, cpu.Conv2DForward, ys, [2][]float32{x, w}, [2][]int{xs, ws}, p.C * p.R * p.S},
				{"Conv2DBackwardData", b.Conv2DBackwardData, cpu.Conv2DBackwardData, xs, [2][]float32{dy, w}, [2][]int{ys, ws}, p.K * p.R * p.S},
				{"Conv2DBackwardFilter", b.Conv2DBackwardFilter, cpu.Conv2DBackwardFilter, ws, [2][]float32{dy, x}, [2][]int{ys, xs}, p.N * P * Q},
			} {
				t.Run(c.op+"/"+p.String(), func(t *testing.T) {
					at, bt := Upload(b, c.in[0], c.shapes[0]...), Upload(b, c.in[1], c.shapes[1]...)
					g := guardOut(b, nil, c.out...)
					c.run(g.t, at, bt, p)
					want := make([]float32, g.t.Numel())
					c.ref(want, matmulRound(b, c.in[0]), matmulRound(b, c.in[1]), p)
					Close(t, c.op, g.done(t, b, c.op), want, matmulTol(b, convTol(c.terms)))
					at.Release()
					bt.Release()
				})
			}
		}
	})
}
