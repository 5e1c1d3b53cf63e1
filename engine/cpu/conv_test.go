package cpu

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine"
)

func convSizes(p engine.Conv2DParams) (x, w, y int) {
	return p.N * p.C * p.H * p.W, p.K * p.C * p.R * p.S, p.N * p.K * p.OutH() * p.OutW()
}

// TestConvBackwardFiniteDifferences checks both reference backwards against
// central differences of the reference forward (linear, so the
// differences are exact up to rounding).
func TestConvBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, p := range []engine.Conv2DParams{
		{N: 2, C: 3, H: 5, W: 6, K: 2, R: 3, S: 2, StrideH: 2, StrideW: 1, PadH: 1, PadW: 0},
		{N: 1, C: 2, H: 4, W: 4, K: 3, R: 1, S: 1, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		{N: 1, C: 1, H: 1, W: 1, K: 2, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 2, H: 7, W: 5, K: 2, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	} {
		nx, nw, ny := convSizes(p)
		x, w, g := randSlice(rng, nx), randSlice(rng, nw), randSlice(rng, ny)
		dx, dw := make([]float32, nx), make([]float32, nw)
		Conv2DBackwardData(dx, g, w, p)
		Conv2DBackwardFilter(dw, g, x, p)
		fx := fdGrad(x, g, 0.25, func(xs []float32) []float32 {
			y := make([]float32, ny)
			Conv2DForward(y, xs, w, p)
			return y
		})
		fw := fdGrad(w, g, 0.25, func(ws []float32) []float32 {
			y := make([]float32, ny)
			Conv2DForward(y, x, ws, p)
			return y
		})
		checkGrad(t, "Conv2DBackwardData "+p.String(), dx, fx, 1e-4, 1e-4)
		checkGrad(t, "Conv2DBackwardFilter "+p.String(), dw, fw, 1e-4, 1e-4)
	}
}

// convFastShapes cover batch 1 and 3, channels 3/13/64, 1x1 and 7x7
// planes, odd sizes with stride 2, kernels 1x1/3x3/7x7, the direct 1x1
// path and asymmetric stride/padding.
var convFastShapes = []engine.Conv2DParams{
	{N: 1, C: 3, H: 7, W: 7, K: 13, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 3, C: 13, H: 9, W: 11, K: 3, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 3, C: 64, H: 1, W: 1, K: 13, R: 1, S: 1, StrideH: 1, StrideW: 1},
	{N: 3, C: 64, H: 1, W: 1, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 3, C: 3, H: 15, W: 13, K: 64, R: 7, S: 7, StrideH: 2, StrideW: 2, PadH: 3, PadW: 3},
	{N: 3, C: 13, H: 7, W: 7, K: 64, R: 1, S: 1, StrideH: 2, StrideW: 2},
	{N: 3, C: 64, H: 7, W: 7, K: 64, R: 1, S: 1, StrideH: 1, StrideW: 1},
	{N: 1, C: 13, H: 7, W: 7, K: 3, R: 7, S: 7, StrideH: 1, StrideW: 1, PadH: 3, PadW: 3},
	{N: 3, C: 3, H: 5, W: 8, K: 5, R: 2, S: 3, StrideH: 1, StrideW: 2, PadH: 0, PadW: 4},
	// stride 1: unpadded (not "same"), and padding >= kernel (col2im path)
	{N: 2, C: 13, H: 9, W: 6, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1},
	{N: 2, C: 3, H: 4, W: 5, K: 2, R: 1, S: 1, StrideH: 1, StrideW: 1, PadH: 1, PadW: 2},
	{N: 2, C: 3, H: 4, W: 5, K: 2, R: 2, S: 3, StrideH: 1, StrideW: 1, PadH: 3, PadW: 1},
	// several row blocks (convRowBlock), the last one short: "same",
	// stride 2 and unpadded stride 1
	{N: 2, C: 3, H: 23, W: 17, K: 5, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 2, C: 4, H: 45, W: 29, K: 3, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 2, C: 2, H: 30, W: 12, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1},
	// shifted planes (shiftedForwardPays, shiftedFilterPays), 3x3 and 5x5
	{N: 2, C: 32, H: 6, W: 5, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 3, C: 33, H: 5, W: 7, K: 5, R: 5, S: 5, StrideH: 1, StrideW: 1, PadH: 2, PadW: 2},
	// 13x13 planes (odd after stride 2), 3 channels, batch 1, padding 0
	// and 1, 1x1 / 3x3 / 7x7 kernels
	{N: 1, C: 3, H: 13, W: 13, K: 8, R: 7, S: 7, StrideH: 2, StrideW: 2},
	{N: 1, C: 3, H: 13, W: 13, K: 5, R: 1, S: 1, StrideH: 2, StrideW: 2},
	{N: 2, C: 3, H: 13, W: 13, K: 16, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 1, C: 16, H: 13, W: 13, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1},
	{N: 1, C: 3, H: 13, W: 13, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 2, C: 16, H: 13, W: 13, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
}

// TestIm2colRows: im2col and every row block of im2colRows hold the
// im2col matrix as defined (row (c*R+r)*S+s, column oh*Q+ow: x[c, ih, iw]
// at ih = oh*sh-ph+r, iw = ow*sw-pw+s, or 0 outside the image), over
// scratch full of 7s.
func TestIm2colRows(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, p := range convFastShapes {
		P, Q, crs := p.OutH(), p.OutW(), p.C*p.R*p.S
		x := randSlice(rng, p.C*p.H*p.W)
		want := make([]float32, crs*P*Q)
		for row := range crs {
			c, r, s := row/(p.R*p.S), row/p.S%p.R, row%p.S
			for oh := range P {
				for ow := range Q {
					if ih, iw := oh*p.StrideH-p.PadH+r, ow*p.StrideW-p.PadW+s; ih >= 0 && ih < p.H && iw >= 0 && iw < p.W {
						want[(row*P+oh)*Q+ow] = x[(c*p.H+ih)*p.W+iw]
					}
				}
			}
		}
		whole := make([]float32, crs*P*Q)
		Fill(whole, 7)
		im2col(whole, x, p)
		checkClose(t, fmt.Sprintf("im2col %v", p), whole, want, 0, 0)
		for _, rb := range []int{1, 2, 5, P} {
			for oh0 := 0; oh0 < P; oh0 += rb {
				oh1 := min(P, oh0+rb)
				nb := (oh1 - oh0) * Q
				got := make([]float32, crs*nb)
				Fill(got, 7)
				im2colRows(got, x, p, oh0, oh1)
				for row := 0; row < crs; row++ {
					for i := 0; i < nb; i++ {
						if g, w := got[row*nb+i], want[row*P*Q+oh0*Q+i]; g != w {
							t.Fatalf("%+v rows [%d,%d): col[%d][%d] = %v, want %v", p, oh0, oh1, row, i, g, w)
						}
					}
				}
			}
		}
	}
}

// TestConvFastPaths compares the builtin im2col+GEMM backend (OpenBLAS and
// pure Go, 1 to 3 threads) and oneDNN (1 and 2 threads, where it loads;
// onednn_test.go fails in CI where it does not) with the references.
func TestConvFastPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for _, p := range convFastShapes {
		nx, nw, ny := convSizes(p)
		x, w, dy := randSlice(rng, nx), randSlice(rng, nw), randSlice(rng, ny)
		y, dx, dw := make([]float32, ny), make([]float32, nx), make([]float32, nw)
		Conv2DForward(y, x, w, p)
		Conv2DBackwardData(dx, dy, w, p)
		Conv2DBackwardFilter(dw, dy, x, p)
		for _, opt := range convTestOptions() {
			be := New(opt)
			name := fmt.Sprintf("%v threads%d blas%v conv %v", p, opt.Threads, be.UsesBLAS(), opt.Conv)
			xt, wt, dyt := be.New(nx), be.New(nw), be.New(ny)
			be.Upload(xt, x)
			be.Upload(wt, w)
			be.Upload(dyt, dy)
			yt, dxt, dwt := be.New(ny), be.New(nx), be.New(nw)
			// Outputs are overwritten: start them dirty.
			Fill(Data(yt), 7)
			Fill(Data(dxt), 7)
			Fill(Data(dwt), 7)
			be.Conv2DForward(yt, xt, wt, p)
			be.Conv2DBackwardData(dxt, dyt, wt, p)
			be.Conv2DBackwardFilter(dwt, dyt, xt, p)
			checkClose(t, "Conv2DForward "+name, Data(yt), y, 1e-6*float64(p.C*p.R*p.S+1), 1e-5)
			checkClose(t, "Conv2DBackwardData "+name, Data(dxt), dx, 1e-6*float64(p.K*p.R*p.S+1), 1e-5)
			checkClose(t, "Conv2DBackwardFilter "+name, Data(dwt), dw, 1e-6*float64(p.N*p.OutH()*p.OutW()+1), 1e-5)
			checkConvImpl(t, be, opt.Conv, p)
		}
	}
}

func TestConvShapeMisusePanics(t *testing.T) {
	be := New(Options{})
	p := engine.Conv2DParams{N: 1, C: 2, H: 3, W: 3, K: 2, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	for name, fn := range map[string]func(){
		"Conv2DForward":        func() { be.Conv2DForward(be.New(18), be.New(18), be.New(35), p) },
		"Conv2DBackwardData":   func() { be.Conv2DBackwardData(be.New(17), be.New(18), be.New(36), p) },
		"Conv2DBackwardFilter": func() { be.Conv2DBackwardFilter(be.New(36), be.New(18), be.New(18), engine.Conv2DParams{N: 1}) },
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "engine: "+name+":") {
					t.Errorf("%s: panic %v, want an \"engine: %s: ...\" message", name, r, name)
				}
			}()
			fn()
		}()
	}
}

// TestWinograd: the Winograd compositions equal the direct references on
// awkward shapes (odd output sizes, so the last tiles are partial; padding
// 0, 1 and 2; one and many channels). The geometry's own test is
// engine.TestWinogradGeometry.
func TestWinograd(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, p := range []engine.Conv2DParams{
		{N: 1, C: 1, H: 1, W: 1, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 3, H: 7, W: 5, K: 13, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 3, C: 13, H: 6, W: 9, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 0, PadW: 2},
		{N: 1, C: 5, H: 4, W: 4, K: 7, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 0},
		{N: 2, C: 17, H: 11, W: 11, K: 9, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	} {
		P, Q := p.OutH(), p.OutW()
		x := randSlice(rng, p.N*p.C*p.H*p.W)
		w := randSlice(rng, p.K*p.C*9)
		dy := randSlice(rng, p.N*p.K*P*Q)
		want, got := make([]float32, len(dy)), make([]float32, len(dy))
		Conv2DForward(want, x, w, p)
		wantDX, gotDX := make([]float32, len(x)), make([]float32, len(x))
		Conv2DBackwardData(wantDX, dy, w, p)
		for _, m := range engine.WinogradTileSizes {
			tol := map[int]float64{2: 1e-5, 4: 1e-4}[m] // F4's transforms round more
			Conv2DForwardWinograd(got, x, w, p, m)
			checkClose(t, fmt.Sprintf("F%d forward %v", m, p), got, want, tol, tol)
			Conv2DBackwardDataWinograd(gotDX, dy, w, p, m)
			checkClose(t, fmt.Sprintf("F%d backward-data %v", m, p), gotDX, wantDX, tol, tol)
		}
		wantDW, gotDW := make([]float32, len(w)), make([]float32, len(w))
		Conv2DBackwardFilter(wantDW, dy, x, p)
		for _, m := range engine.WinogradTileSizes {
			tol := map[int]float64{2: 1e-5, 4: 1e-4}[m]
			Conv2DBackwardFilterWinograd(gotDW, dy, x, p, m)
			checkClose(t, fmt.Sprintf("F(3x3, %dx%d) backward-filter %v", m, m, p), gotDW, wantDW, tol, tol)
		}
	}
}
