package conformance

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Float16Linear: the float16 operands of the linear layers' ops
// (engine/dtype_linear.go) on a backend that stores float16
// (engine.Float16Storer), against the float32 cpu references applied to
// the float16 values each operand holds, the result rounded as
// engine.Float16Round where the output is float16:
//   - Gemm with every combination of float16 a, b and c (7) in all four
//     transpose pairs, GemmBatched on every combination: sizes 1, 3, 13,
//     127 and one past the 64 x 64 tile of a regblock workgroup (65,
//     129), beta 0 over a NaN-filled C and alpha/beta scaling of C;
//     tolerance gemmTol (float32 against float64 sums) plus one float16
//     step where C is float16 (closeFloat16), bit for bit where k is 1,
//     alpha 1 and beta 0 (one correctly rounded product an output);
//   - BiasForward (y float16): bit for bit (one IEEE float32 add, then the
//     same rounding); BiasBackward (dy float16): sumTol;
//   - MaxPool2DForward (x, y float16): y and argmax bit for bit;
//     MaxPool2DBackward (dy, dx float16), GlobalAvgPoolForward and
//     Backward: their float32 tolerances plus one float16 step;
//   - Axpy with x or both float16 on lengths 1 to 4099: arith plus one
//     float16 step.
// Every float16 output is also checked to hold float16 values only (a
// kernel that forgot to round would pass a tolerance alone), and lies
// between float32 guards.

// f16GemmShapes are m, n, k: 1, 3, 13, 127, past the 64-wide tile, and
// multiples of 4 (where float32 products take gemm_vec4, float16 ones
// regblock's variants all the same).
var f16GemmShapes = [][3]int{{1, 1, 1}, {3, 13, 127}, {13, 3, 1}, {65, 66, 13}, {127, 129, 65}, {4, 68, 8}}

// f16GemmBatched are batch, m, n, k.
var f16GemmBatched = [][4]int{{1, 3, 13, 127}, {3, 65, 3, 13}, {2, 1, 129, 1}}

// halfSet names the float16 operands of a product: bit 0 c, 1 a, 2 b.
type halfSet int

func (h halfSet) dtype(bit int) engine.DType {
	if int(h)&(1<<bit) != 0 {
		return engine.Float16
	}
	return engine.Float32
}

func (h halfSet) String() string {
	s := "f16"
	for i, name := range []string{"a", "b", "c"} {
		if h.dtype([]int{1, 2, 0}[i]) == engine.Float16 {
			s += name
		}
	}
	return s
}

// stored is x as a tensor stored as dt holds it.
func stored(dt engine.DType, x []float32) []float32 {
	if dt == engine.Float16 {
		return rounded(x)
	}
	return x
}

// uploadAs is Upload into a new tensor stored as dt.
func uploadAs(s engine.Float16Storer, b engine.Backend, dt engine.DType, data []float32, shape ...int) *engine.Tensor {
	if dt == engine.Float16 {
		return upload16(s, b, data, shape...)
	}
	return Upload(b, data, shape...)
}

// guardAs is guardOut with the output stored as dt, holding init
// (sentinels when nil).
func guardAs(s engine.Float16Storer, b engine.Backend, dt engine.DType, init []float32, shape ...int) guarded {
	g := guarded{lo: Upload(b, sentinels(guardLen), guardLen)}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if init == nil {
		init = sentinels(n)
	}
	g.t = uploadAs(s, b, dt, init, shape...)
	g.hi = Upload(b, sentinels(guardLen), guardLen)
	return g
}

// closeAs compares an output stored as dt with the float32 reference
// want: rounded and within tol plus one float16 step (closeFloat16) when
// dt is Float16, within tol otherwise.
func closeAs(t testing.TB, dt engine.DType, what string, got, want []float32, tol Tol) {
	t.Helper()
	if dt == engine.Float16 {
		closeFloat16(t, what, got, rounded(want), tol)
		return
	}
	Close(t, what, got, want, tol)
}

func init() {
	register("Float16Linear", func(t *testing.T, b engine.Backend) {
		s, rng := storer16(t, b), rand.New(rand.NewSource(1818))
		trs := [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}}
		for _, sh := range f16GemmShapes {
			for ti, tr := range trs {
				for h := halfSet(1); h < 8; h++ {
					ab := [2]float32{1, 0}
					if (int(h)+ti)%2 == 1 {
						ab = [2]float32{-0.5, 1.5}
					}
					name := fmt.Sprintf("Gemm/m%d_n%d_k%d_ta%v_tb%v_%v_beta%g", sh[0], sh[1], sh[2], tr[0], tr[1], h, ab[1])
					t.Run(name, func(t *testing.T) {
						testGemm16(t, b, s, rng, h, tr[0], tr[1], 1, sh[0], sh[1], sh[2], ab[0], ab[1])
					})
				}
			}
		}
		for i, sh := range f16GemmBatched {
			for h := halfSet(1); h < 8; h++ {
				tr := trs[(i+int(h))%4]
				name := fmt.Sprintf("GemmBatched/b%d_m%d_n%d_k%d_ta%v_tb%v_%v", sh[0], sh[1], sh[2], sh[3], tr[0], tr[1], h)
				t.Run(name, func(t *testing.T) {
					testGemm16(t, b, s, rng, h, tr[0], tr[1], sh[0], sh[1], sh[2], sh[3], 0.75, -1)
				})
			}
		}
		testBiasPool16(t, b, s, rng)
		t.Run("AllValues", func(t *testing.T) { testAllFloat16(t, b, s) })
	})
}

// testAllFloat16 loads every binary16 value (NaN once) from a float16
// tensor: Copy to float32 bit for bit, and as A of a k = 1 product with B
// = 1 (the GEMM's operand load) within Close (NaN as NaN). The kernels'
// loads convert branch-free (half.glsl's h2f), subnormals included.
func testAllFloat16(t *testing.T, b engine.Backend, s engine.Float16Storer) {
	var x []float32
	for h := 0; h < 1<<16; h++ {
		if h&0x7fff <= 0x7c00 || h == 0x7e00 { // the NaNs: one
			x = append(x, engine.Float16Value(uint16(h)))
		}
	}
	n := len(x)
	xt := upload16(s, b, x, n, 1)
	defer xt.Release()
	g := guardOut(b, nil, n)
	b.Copy(g.t, xt)
	sameBits(t, "Copy of every float16 value", g.done(t, b, "Copy"), x)
	one := Upload(b, []float32{1}, 1, 1)
	defer one.Release()
	g = guardOut(b, nil, n, 1)
	b.Gemm(false, false, n, 1, 1, 1, xt, one, 0, g.t)
	want := make([]float32, n)
	cpu.Gemm(false, false, n, 1, 1, 1, x, []float32{1}, 0, want)
	Close(t, "Gemm of every float16 value", g.done(t, b, "Gemm"), want, exact)
}

// testGemm16 runs one Gemm (batch 1) or GemmBatched with the operands of
// h stored as float16.
func testGemm16(t *testing.T, b engine.Backend, s engine.Float16Storer, rng *rand.Rand, h halfSet, ta, tb bool, batch, m, n, k int, alpha, beta float32) {
	a := stored(h.dtype(1), Rand(rng, batch*m*k, -1, 1))
	bb := stored(h.dtype(2), Rand(rng, batch*k*n, -1, 1))
	c0 := stored(h.dtype(0), Rand(rng, batch*m*n, -1, 1))
	if beta == 0 {
		poison(c0)
	}
	at := uploadAs(s, b, h.dtype(1), a, batch, m*k)
	bt := uploadAs(s, b, h.dtype(2), bb, batch, k*n)
	defer at.Release()
	defer bt.Release()
	g := guardAs(s, b, h.dtype(0), c0, batch, m*n)
	want := append([]float32(nil), c0...)
	if batch == 1 {
		b.Gemm(ta, tb, m, n, k, alpha, at, bt, beta, g.t)
		cpu.Gemm(ta, tb, m, n, k, alpha, a, bb, beta, want)
	} else {
		b.GemmBatched(ta, tb, batch, m, n, k, alpha, at, bt, beta, g.t)
		cpu.GemmBatched(ta, tb, batch, m, n, k, alpha, a, bb, beta, want)
	}
	got := g.done(t, b, "Gemm")
	if k == 1 && alpha == 1 && beta == 0 {
		// One float32 product an output, correctly rounded on both
		// sides: the rounding to float16 must then agree bit for bit
		// (a store that rounds toward zero passes closeFloat16).
		sameBits(t, "Gemm k=1 "+h.String(), got, stored(h.dtype(0), want))
		return
	}
	closeAs(t, h.dtype(0), "Gemm "+h.String(), got, want, gemmTol(k))
}

// Float16Linear's bias, pool and Axpy cases (see above), on the shapes
// of the Bias and Pool families (sizes 1, 13, 129, 1025, odd planes) and
// Axpy on awkward lengths; a float16 y with a float32 x is refused.

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
		x := ties(Rand(rng, nx, -2, 2))
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
		for _, h := range []halfSet{2, 3} { // bit 0 y, bit 1 x
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
	t.Run("Axpy/y float16, x float32", func(t *testing.T) {
		y, x := s.NewFloat16(3), b.New(3)
		defer y.Release()
		defer x.Release()
		msg := panicOf(func() { b.Axpy(y, 2, x) })
		if want := "engine: Axpy: y "; !strings.HasPrefix(msg, want) || !strings.Contains(msg, "float16") {
			t.Errorf("Axpy of a float32 x into a float16 y: panic %q, want one starting %q naming float16", msg, want)
		}
	})
}
