package conformance

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Float16Conv: the convolution passes with float16 activations
// (engine.Float16Operands: x, y, dy, dx stored as float16; w and dw
// float32) on a backend that stores them, against the float64-
// accumulating cpu references applied to the float16 inputs, the float16
// outputs (y, dx) rounded as engine.Float16Round. Tolerance: convTol's
// float32 bound plus one float16 step for y and dx (closeFloat16: every
// value must be a float16 one, and a last float32 bit of the sum may move
// the rounding to the neighbouring float16); dw, float32, within convTol.
// Awkward sizes: batch 1 and 3, channels 1, 3 and 13, 13x13 images,
// strides 1 and 2, padding 0 and 1, 1x1 (the plain-GEMM path) and 3x3
// kernels, and output rows, columns or reductions just past the edges of
// the 64- and 128-wide tiles and of the register-blocked kernels' blocks
// (65, 129 channels; 81, 169 or 507 pixels). Outputs between guards. A
// call with one activation float16 and the other float32 must panic
// naming both.

var f16ConvCases = []engine.Conv2DParams{
	{N: 1, C: 1, H: 13, W: 13, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 3, C: 3, H: 13, W: 13, K: 13, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 3, C: 13, H: 13, W: 13, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1},
	{N: 3, C: 13, H: 13, W: 13, K: 1, R: 1, S: 1, StrideH: 1, StrideW: 1},
	{N: 1, C: 3, H: 13, W: 13, K: 13, R: 1, S: 1, StrideH: 2, StrideW: 2},
	{N: 1, C: 13, H: 13, W: 13, K: 1, R: 3, S: 3, StrideH: 2, StrideW: 2},
	{N: 1, C: 65, H: 9, W: 9, K: 65, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 1, C: 13, H: 13, W: 13, K: 129, R: 1, S: 1, StrideH: 1, StrideW: 1},
}

func init() {
	registerFloat16("Float16Conv", 1818, func(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand) {
		for _, p := range f16ConvCases {
			t.Run(p.String(), func(t *testing.T) { testFloat16Conv(t, b, s, rng, p) })
		}
		t.Run("MixedDTypes", func(t *testing.T) { testFloat16ConvMixed(t, b, s) })
	})
}

func testFloat16Conv(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand, p engine.Conv2DParams) {
	P, Q := p.OutH(), p.OutW()
	nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C*p.R*p.S, p.N*p.K*P*Q
	x, w, dy := rounded(Rand(rng, nx, -1, 1)), Rand(rng, nw, -1, 1), rounded(Rand(rng, ny, -1, 1))
	xt, dyt := upload16(s, b, x, p.N, p.C, p.H, p.W), upload16(s, b, dy, p.N, p.K, P, Q)
	wt := Upload(b, w, p.K, p.C, p.R, p.S)
	defer xt.Release()
	defer dyt.Release()
	defer wt.Release()

	want := make([]float32, ny)
	cpu.Conv2DForward(want, x, w, p)
	g := guardOut16(s, b, ny)
	b.Conv2DForward(g.t, xt, wt, p)
	closeFloat16(t, "Conv2DForward y", g.done(t, b, "Conv2DForward float16"), rounded(want), convTol(p.C*p.R*p.S))

	want = make([]float32, nx)
	cpu.Conv2DBackwardData(want, dy, w, p)
	g = guardOut16(s, b, nx)
	b.Conv2DBackwardData(g.t, dyt, wt, p)
	closeFloat16(t, "Conv2DBackwardData dx", g.done(t, b, "Conv2DBackwardData float16"), rounded(want), convTol(p.K*p.R*p.S))

	want = make([]float32, nw)
	cpu.Conv2DBackwardFilter(want, dy, x, p)
	g = guardOut(b, nil, nw)
	b.Conv2DBackwardFilter(g.t, dyt, xt, p)
	Close(t, "Conv2DBackwardFilter dw", g.done(t, b, "Conv2DBackwardFilter float16"), want, convTol(p.N*P*Q))
}

// testFloat16ConvMixed: x float16 with y float32 (and the like for the
// backward passes) is refused with a panic naming both activations.
func testFloat16ConvMixed(t *testing.T, b engine.Backend, s engine.Float16Storer) {
	p := refConv
	xs, ys, ws := []int{p.N, p.C, p.H, p.W}, []int{p.N, p.K, p.OutH(), p.OutW()}, []int{p.K, p.C, p.R, p.S}
	for _, c := range []struct {
		op, a, b string
		run      func(f16, f32, w *engine.Tensor)
		sa, sb   []int
	}{
		{"Conv2DForward", "x", "y", func(x, y, w *engine.Tensor) { b.Conv2DForward(y, x, w, p) }, xs, ys},
		{"Conv2DBackwardData", "dx", "dy", func(dx, dy, w *engine.Tensor) { b.Conv2DBackwardData(dx, dy, w, p) }, xs, ys},
		{"Conv2DBackwardFilter", "x", "dy", func(x, dy, dw *engine.Tensor) { b.Conv2DBackwardFilter(dw, dy, x, p) }, xs, ys},
	} {
		msg := func() (msg string) {
			h, f, w := s.NewFloat16(c.sa...), b.New(c.sb...), b.New(ws...)
			defer func() {
				h.Release()
				f.Release()
				w.Release()
				msg = fmt.Sprint(recover())
			}()
			c.run(h, f, w)
			return ""
		}()
		if !strings.HasPrefix(msg, "engine: "+c.op+": ") || !strings.Contains(msg, c.a+" is float16 but "+c.b+" is float32") {
			t.Errorf("%s with %s float16 and %s float32: got panic %q, want one naming both", c.op, c.a, c.b, msg)
		}
	}
}
