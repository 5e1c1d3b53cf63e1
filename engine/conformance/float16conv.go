package conformance

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Float16Conv: the convolution passes with float16 activations
// (engine.Float16Operands: x, y, dy, dx stored as float16; w and dw
// float32) on a backend that stores them, against the float64-
// accumulating cpu references applied to the float16 inputs, the float16
// outputs (y, dx) rounded as engine.Float16Round. On a backend that rounds
// its product inputs (engine.MatmulRounder: cooperative matrices) w is
// rounded so in the reference too, with the per-tensor power-of-two
// scaling (matmulRoundScaled), and x and dy, float16 already, stay exact.
// Tolerance: convTol's float32 bound (widened by matmulTol on such a
// backend, scaled with the case) plus one float16 step for y and dx
// (closeFloat16: every value must be a float16 one, and a last float32
// bit of the sum may move the rounding to the neighbouring float16); dw,
// float32, within convTol.
// Awkward sizes: batch 1 and 3, channels 1, 3 and 13, 13x13 images,
// strides 1 and 2, padding 0 and 1, 1x1 (the plain-GEMM path) and 3x3
// kernels, and output rows, columns or reductions just past the edges of
// the 64- and 128-wide tiles and of the register-blocked kernels' blocks
// (65, 129 channels; 81, 169 or 507 pixels). One case again with w
// scaled by 2^-20 (y and dx in float16's subnormal range, the tolerance
// scaled alike: within one subnormal step), by 2^14 (y and dx past
// 65504: ±Inf where the reference's are), and with x and dy scaled by
// 2^-14 (every input activation a float16 subnormal, the tolerances
// scaled alike: a subnormal read wrongly shows). Every float16 value
// through a 1x1 convolution with w = 1 (forward and backward data): the
// output equals the input, bit for bit but for -0 (+0, as in the
// reference) and NaN's payload. Outputs between guards. A call
// with one activation float16 and the other float32 must panic naming
// both.

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
			t.Run(p.String(), func(t *testing.T) { testFloat16Conv(t, b, s, rng, p, 0, 0) })
		}
		for _, e := range []int{-20, 14} {
			p := f16ConvCases[1]
			t.Run(fmt.Sprintf("%v_w_times_2^%d", p, e), func(t *testing.T) { testFloat16Conv(t, b, s, rng, p, e, 0) })
		}
		p := f16ConvCases[1]
		t.Run(fmt.Sprintf("%v_x_dy_times_2^-14", p), func(t *testing.T) { testFloat16Conv(t, b, s, rng, p, 0, -14) })
		t.Run("AllFloat16Values", func(t *testing.T) { testFloat16ConvValues(t, b, s) })
		t.Run("MixedDTypes", func(t *testing.T) { testFloat16ConvMixed(t, b, s) })
	})
}

// testFloat16Conv checks the three passes on p with w scaled by 2^e and x
// and dy by 2^ea (the tolerances scaled alike); e = -20 and 14 must reach
// float16's subnormals and overflow in y and dx.
func testFloat16Conv(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand, p engine.Conv2DParams, e, ea int) {
	P, Q := p.OutH(), p.OutW()
	nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C*p.R*p.S, p.N*p.K*P*Q
	sa := float32(math.Ldexp(1, ea))
	x, w, dy := rounded(Rand(rng, nx, -sa, sa)), Rand(rng, nw, -1, 1), rounded(Rand(rng, ny, -sa, sa))
	scale := math.Ldexp(1, e+ea) // of y and dx; dw's is 2^(2ea)
	for i := range w {
		w[i] *= float32(math.Ldexp(1, e))
	}
	w = matmulRoundScaled(b, w)
	tol := func(count int) Tol { c := matmulTol(b, convTol(count)); return Tol{Atol: c.Atol * scale, Rtol: c.Rtol} }
	xt, dyt := upload16(s, b, x, p.N, p.C, p.H, p.W), upload16(s, b, dy, p.N, p.K, P, Q)
	wt := Upload(b, w, p.K, p.C, p.R, p.S)
	defer xt.Release()
	defer dyt.Release()
	defer wt.Release()

	for _, c := range []struct {
		op    string
		run   func(out, a, b *engine.Tensor, p engine.Conv2DParams)
		ref   func(out, a, b []float32, p engine.Conv2DParams)
		a, b  []float32 // the inputs, as args holds them
		args  [2]*engine.Tensor
		n     int  // outputs
		terms int  // products summed per output
		f16   bool // a float16 output (y, dx); dw is float32
	}{
		{"Conv2DForward", b.Conv2DForward, cpu.Conv2DForward, x, w, [2]*engine.Tensor{xt, wt}, ny, p.C * p.R * p.S, true},
		{"Conv2DBackwardData", b.Conv2DBackwardData, cpu.Conv2DBackwardData, dy, w, [2]*engine.Tensor{dyt, wt}, nx, p.K * p.R * p.S, true},
		{"Conv2DBackwardFilter", b.Conv2DBackwardFilter, cpu.Conv2DBackwardFilter, dy, x, [2]*engine.Tensor{dyt, xt}, nw, p.N * P * Q, false},
	} {
		want := make([]float32, c.n)
		c.ref(want, c.a, c.b, p)
		if !c.f16 {
			g := guardOut(b, nil, c.n)
			c.run(g.t, c.args[0], c.args[1], p)
			ct := matmulTol(b, convTol(c.terms))
			Close(t, c.op, g.done(t, b, c.op+" float16"), want, Tol{Atol: ct.Atol * float64(sa*sa), Rtol: ct.Rtol})
			continue
		}
		g := guardOut16(s, b, c.n)
		c.run(g.t, c.args[0], c.args[1], p)
		closeFloat16(t, c.op, g.done(t, b, c.op+" float16"), rounded(want), tol(c.terms))
		checkRange(t, e, rounded(want))
	}
}

// matmulRoundScaled is matmulRound of the tensor x with the per-tensor
// power-of-two scaling of engine.MatmulRounder (the Vulkan backend's
// cooperative matrices, engine.RoundScaled), so that a tensor of small
// values (w scaled by 2^-20) keeps its significant bits as on the backend
// instead of meeting float16's subnormals. x itself where b does not round.
func matmulRoundScaled(b engine.Backend, x []float32) []float32 {
	r, ok := b.(engine.MatmulRounder)
	if !ok || r.MatmulInputRounding() == nil {
		return x
	}
	return engine.RoundScaled(x, r.MatmulInputRounding())
}

// checkRange fails t unless float16 outputs want reach what scale 2^e is
// for: a nonzero subnormal (e < 0) or an infinity (e > 0).
func checkRange(t *testing.T, e int, want []float32) {
	t.Helper()
	if e == 0 {
		return
	}
	if !slices.ContainsFunc(want, func(v float32) bool {
		if e < 0 {
			return v != 0 && math.Abs(float64(v)) < 0x1p-14
		}
		return math.IsInf(float64(v), 0)
	}) {
		t.Errorf("w scaled by 2^%d: no output in the range the case is for", e)
	}
}

// testFloat16ConvValues passes every binary16 value (NaN once) through a
// 1x1 convolution with w = 1, forward and backward data: the kernels read
// and write each one exactly, as the reference.
func testFloat16ConvValues(t *testing.T, b engine.Backend, s engine.Float16Storer) {
	p := engine.Conv2DParams{N: 1, C: 1, H: 256, W: 256, K: 1, R: 1, S: 1, StrideH: 1, StrideW: 1}
	x := make([]float32, 1<<16)
	for i := range x {
		x[i] = engine.Float16Value(uint16(i))
	}
	xt, wt := upload16(s, b, x, 1, 1, 256, 256), Upload(b, []float32{1}, 1, 1, 1, 1)
	defer xt.Release()
	defer wt.Release()
	want := make([]float32, len(x))
	cpu.Conv2DForward(want, x, []float32{1}, p)
	want = rounded(want)
	for _, c := range []struct {
		op  string
		run func(out, in, w *engine.Tensor, p engine.Conv2DParams)
	}{{"Conv2DForward", b.Conv2DForward}, {"Conv2DBackwardData", b.Conv2DBackwardData}} {
		g := guardOut16(s, b, len(x))
		c.run(g.t, xt, wt, p)
		Close(t, c.op+" of every float16 value", g.done(t, b, c.op), want, Tol{})
	}
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
		h, f, w := s.NewFloat16(c.sa...), b.New(c.sb...), b.New(ws...)
		msg := panicOf(func() { c.run(h, f, w) })
		h.Release()
		f.Release()
		w.Release()
		if !strings.HasPrefix(msg, "engine: "+c.op+": ") || !strings.Contains(msg, c.a+" is float16 but "+c.b+" is float32") {
			t.Errorf("%s with %s float16 and %s float32: got panic %q, want one naming both", c.op, c.a, c.b, msg)
		}
	}
}
