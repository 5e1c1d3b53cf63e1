package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Float16Linear's bias, pool and Axpy cases (float16linear.go says what
// each checks), on the shapes of the Bias and Pool families (sizes 1, 13,
// 129, 1025, odd planes) and Axpy on awkward lengths.

// f16AxpyLens: 1, odd ones (half a word left over), one past a workgroup
// of 256, more than one workgroup row.
var f16AxpyLens = []int{1, 3, 13, 127, 257, 4099}

func testBiasPool16(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand) {
	const f16 = engine.Float16
	for _, sh := range append(biasCases, [3]int{2, 3, 257}) {
		n, c, hw := sh[0], sh[1], sh[2]
		name := fmt.Sprintf("n%d_c%d_hw%d", n, c, hw)
		y, bias := rounded(Rand(rng, n*c*hw, -4, 4)), Rand(rng, c, -1, 1)
		t.Run("BiasForward/"+name, func(t *testing.T) {
			bt := Upload(b, bias, c)
			defer bt.Release()
			g := guardAs(s, b, f16, y, n, c, hw)
			b.BiasForward(g.t, bt, n, c, hw)
			want := append([]float32(nil), y...)
			cpu.BiasForward(want, bias, n, c, hw)
			sameBits(t, "BiasForward float16", g.done(t, b, "BiasForward"), rounded(want))
		})
		t.Run("BiasBackward/"+name, func(t *testing.T) {
			dyt := upload16(s, b, y, n, c, hw)
			defer dyt.Release()
			g := guardOut(b, nil, c)
			b.BiasBackward(g.t, dyt, n, c, hw)
			want := make([]float32, c)
			cpu.BiasBackward(want, y, n, c, hw)
			Close(t, "BiasBackward float16 dy", g.done(t, b, "BiasBackward"), want, sumTol(n*hw))
		})
	}
	for _, p := range maxPoolCases {
		P, Q := p.OutH(), p.OutW()
		nx, ny := p.N*p.C*p.H*p.W, p.N*p.C*P*Q
		x := Rand(rng, nx, -2, 2)
		for i := range x {
			x[i] = float32(math.Round(float64(x[i])*4) / 4) // ties
		}
		dy := rounded(Rand(rng, ny, -1, 1))
		y, am := make([]float32, ny), make([]float32, ny)
		cpu.MaxPool2DForward(y, am, x, p)
		name := fmt.Sprintf("N%d_C%d_H%d_W%d_k%dx%d_s%dx%d_p%dx%d", p.N, p.C, p.H, p.W, p.KH, p.KW, p.StrideH, p.StrideW, p.PadH, p.PadW)
		t.Run("MaxPool2DForward/"+name, func(t *testing.T) {
			xt := upload16(s, b, x, p.N, p.C, p.H, p.W)
			defer xt.Release()
			gy := guardAs(s, b, f16, nil, p.N, p.C, P, Q)
			ga := guardOut(b, nil, p.N, p.C, P, Q)
			b.MaxPool2DForward(gy.t, ga.t, xt, p)
			sameBits(t, "MaxPool2DForward float16 y", gy.done(t, b, "MaxPool2DForward y"), y)
			sameBits(t, "MaxPool2DForward argmax", ga.done(t, b, "MaxPool2DForward argmax"), am)
		})
		t.Run("MaxPool2DBackward/"+name, func(t *testing.T) {
			dyt, at := upload16(s, b, dy, p.N, p.C, P, Q), Upload(b, am, p.N, p.C, P, Q)
			defer dyt.Release()
			defer at.Release()
			g := guardAs(s, b, f16, nil, p.N, p.C, p.H, p.W)
			b.MaxPool2DBackward(g.t, dyt, at, p)
			want := make([]float32, nx)
			cpu.MaxPool2DBackward(want, dy, am, p)
			closeAs(t, f16, "MaxPool2DBackward float16", g.done(t, b, "MaxPool2DBackward"), want, sumTol(p.KH*p.KW))
		})
	}
	for _, sh := range avgPoolCases {
		n, c, hw := sh[0], sh[1], sh[2]
		name := fmt.Sprintf("n%d_c%d_hw%d", n, c, hw)
		x, dy := rounded(Rand(rng, n*c*hw, -1, 1)), rounded(Rand(rng, n*c, -1, 1))
		t.Run("GlobalAvgPoolForward/"+name, func(t *testing.T) {
			xt := upload16(s, b, x, n, c, hw)
			defer xt.Release()
			g := guardAs(s, b, f16, nil, n, c)
			b.GlobalAvgPoolForward(g.t, xt, n, c, hw)
			want := make([]float32, n*c)
			cpu.GlobalAvgPoolForward(want, x, n, c, hw)
			closeAs(t, f16, "GlobalAvgPoolForward float16", g.done(t, b, "GlobalAvgPoolForward"), want, sumTol(hw))
		})
		t.Run("GlobalAvgPoolBackward/"+name, func(t *testing.T) {
			dyt := upload16(s, b, dy, n, c)
			defer dyt.Release()
			g := guardAs(s, b, f16, nil, n, c, hw)
			b.GlobalAvgPoolBackward(g.t, dyt, n, c, hw)
			want := make([]float32, n*c*hw)
			cpu.GlobalAvgPoolBackward(want, dy, n, c, hw)
			closeAs(t, f16, "GlobalAvgPoolBackward float16", g.done(t, b, "GlobalAvgPoolBackward"), want, arith)
		})
	}
	for _, n := range f16AxpyLens {
		for _, h := range []halfSet{1, 2, 3} { // bit 0 y, bit 1 x
			yd, xd := h.dtype(0), h.dtype(1)
			t.Run(fmt.Sprintf("Axpy/n%d_y%v_x%v", n, yd, xd), func(t *testing.T) {
				y := stored(yd, Rand(rng, n, -4, 4))
				x := stored(xd, Rand(rng, n, -4, 4))
				const alpha = -0.75
				xt := uploadAs(s, b, xd, x, n)
				defer xt.Release()
				g := guardAs(s, b, yd, y, n)
				b.Axpy(g.t, alpha, xt)
				want := append([]float32(nil), y...)
				cpu.Axpy(want, alpha, x)
				closeAs(t, yd, "Axpy", g.done(t, b, "Axpy"), want, arith)
			})
		}
	}
}
