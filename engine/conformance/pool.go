package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Max pooling (values and argmax exact, ties resolved to the first maximum
// in row-major window order, padding never selected) and global average
// pooling. Max-pool inputs are quantised to steps of 0.25 so ties occur.

var maxPoolCases = []engine.Pool2DParams{
	{N: 1, C: 1, H: 1, W: 1, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 2, C: 3, H: 9, W: 9, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 1, C: 2, H: 8, W: 8, KH: 2, KW: 2, StrideH: 2, StrideW: 2},
	{N: 2, C: 3, H: 7, W: 5, KH: 2, KW: 3, StrideH: 1, StrideW: 2, PadH: 1, PadW: 1},
	{N: 3, C: 13, H: 32, W: 32, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 1, C: 5, H: 13, W: 11, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
}

var avgPoolCases = [][3]int{{1, 1, 1}, {3, 13, 49}, {2, 64, 16}, {5, 3, 1000}, {2, 129, 1}}

func init() {
	register("Pool", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(7))
		for _, p := range maxPoolCases {
			P, Q := p.OutH(), p.OutW()
			nx, ny := p.N*p.C*p.H*p.W, p.N*p.C*P*Q
			x := ties(Rand(rng, nx, -2, 2))
			dy := Rand(rng, ny, -1, 1)
			y, am := make([]float32, ny), make([]float32, ny)
			cpu.MaxPool2DForward(y, am, x, p)
			name := fmt.Sprintf("N%d_C%d_H%d_W%d_k%dx%d_s%dx%d_p%dx%d", p.N, p.C, p.H, p.W, p.KH, p.KW, p.StrideH, p.StrideW, p.PadH, p.PadW)
			t.Run("MaxPool2DForward/"+name, func(t *testing.T) {
				xt := Upload(b, x, p.N, p.C, p.H, p.W)
				gy := guardOut(b, nil, p.N, p.C, P, Q)
				ga := guardOut(b, nil, p.N, p.C, P, Q)
				b.MaxPool2DForward(gy.t, ga.t, xt, p)
				Close(t, "MaxPool2DForward y", gy.done(t, b, "MaxPool2DForward y"), y, exact)
				Close(t, "MaxPool2DForward argmax", ga.done(t, b, "MaxPool2DForward argmax"), am, exact)
				xt.Release()
			})
			t.Run("MaxPool2DBackward/"+name, func(t *testing.T) {
				dyt, at := Upload(b, dy, p.N, p.C, P, Q), Upload(b, am, p.N, p.C, P, Q)
				g := guardOut(b, nil, p.N, p.C, p.H, p.W)
				b.MaxPool2DBackward(g.t, dyt, at, p)
				want := make([]float32, nx)
				cpu.MaxPool2DBackward(want, dy, am, p)
				// Overlapping windows may add in another order.
				Close(t, "MaxPool2DBackward", g.done(t, b, "MaxPool2DBackward"), want, sumTol(p.KH*p.KW))
				dyt.Release()
				at.Release()
			})
		}
		for _, s := range avgPoolCases {
			n, c, hw := s[0], s[1], s[2]
			name := fmt.Sprintf("n%d_c%d_hw%d", n, c, hw)
			x, dy := Rand(rng, n*c*hw, -1, 1), Rand(rng, n*c, -1, 1)
			t.Run("GlobalAvgPoolForward/"+name, func(t *testing.T) {
				xt := Upload(b, x, n, c, hw)
				g := guardOut(b, nil, n, c)
				b.GlobalAvgPoolForward(g.t, xt, n, c, hw)
				want := make([]float32, n*c)
				cpu.GlobalAvgPoolForward(want, x, n, c, hw)
				Close(t, "GlobalAvgPoolForward", g.done(t, b, "GlobalAvgPoolForward"), want, sumTol(hw))
				xt.Release()
			})
			t.Run("GlobalAvgPoolBackward/"+name, func(t *testing.T) {
				dyt := Upload(b, dy, n, c)
				g := guardOut(b, nil, n, c, hw)
				b.GlobalAvgPoolBackward(g.t, dyt, n, c, hw)
				want := make([]float32, n*c*hw)
				cpu.GlobalAvgPoolBackward(want, dy, n, c, hw)
				Close(t, "GlobalAvgPoolBackward", g.done(t, b, "GlobalAvgPoolBackward"), want, arith)
				dyt.Release()
			})
		}
	})
}
