package cpu

import (
	"math/rand"
	"testing"

	"simclr-vk/engine"
)

// distinct returns n values 0.01 apart in random order, so that a max pool
// is differentiable with steps below 0.005.
func distinct(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i, j := range rng.Perm(n) {
		v[i] = float32(j)*0.01 - float32(n)*0.005
	}
	return v
}

func TestMaxPoolBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, p := range []engine.Pool2DParams{
		{N: 2, C: 3, H: 7, W: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		{N: 1, C: 2, H: 4, W: 4, KH: 2, KW: 2, StrideH: 2, StrideW: 2},
		{N: 1, C: 1, H: 5, W: 3, KH: 2, KW: 3, StrideH: 1, StrideW: 2, PadH: 1, PadW: 1},
	} {
		nx, ny := p.N*p.C*p.H*p.W, p.N*p.C*p.OutH()*p.OutW()
		x, g := distinct(rng, nx), randSlice(rng, ny)
		y, am, dx := make([]float32, ny), make([]float32, ny), make([]float32, nx)
		MaxPool2DForward(y, am, x, p)
		MaxPool2DBackward(dx, g, am, p)
		fd := fdGrad(x, g, 1e-3, func(xs []float32) []float32 {
			ys, as := make([]float32, ny), make([]float32, ny)
			MaxPool2DForward(ys, as, xs, p)
			return ys
		})
		checkGrad(t, "MaxPool2DBackward", dx, fd, 2e-3, 1e-3)
	}
}

// TestMaxPoolFirstMaximum: ties go to the first maximum in row-major
// window order, and padding never wins even over negative inputs.
func TestMaxPoolFirstMaximum(t *testing.T) {
	p := engine.Pool2DParams{N: 1, C: 1, H: 2, W: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	x := []float32{-5, -1, -1, -1, -3, -1}
	y, am := make([]float32, 6), make([]float32, 6)
	MaxPool2DForward(y, am, x, p)
	wantY := []float32{-1, -1, -1, -1, -1, -1}
	wantA := []float32{1, 1, 1, 1, 1, 1}
	// window of output (1,0): rows 0..1, cols 0..1: x[1]=-1 at index 1 first.
	checkClose(t, "y", y, wantY, 0, 0)
	checkClose(t, "argmax", am, wantA, 0, 0)
}

func TestGlobalAvgPoolAndBiasFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	n, c, hw := 2, 3, 5
	x, g := randSlice(rng, n*c*hw), randSlice(rng, n*c)
	dx := make([]float32, n*c*hw)
	GlobalAvgPoolBackward(dx, g, n, c, hw)
	fd := fdGrad(x, g, 0.25, func(xs []float32) []float32 {
		y := make([]float32, n*c)
		GlobalAvgPoolForward(y, xs, n, c, hw)
		return y
	})
	checkGrad(t, "GlobalAvgPoolBackward", dx, fd, 1e-5, 1e-4)

	bias, gy := randSlice(rng, c), randSlice(rng, n*c*hw)
	db := make([]float32, c)
	BiasBackward(db, gy, n, c, hw)
	fb := fdGrad(bias, gy, 0.25, func(bs []float32) []float32 {
		y := append([]float32(nil), x...)
		BiasForward(y, bs, n, c, hw)
		return y
	})
	checkGrad(t, "BiasBackward", db, fb, 1e-5, 1e-4)
}

// TestPoolBiasParallelPaths: the parallel Backend methods equal the
// references bit for bit on sizes past the parallel threshold.
func TestPoolBiasParallelPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	be := New(Options{Threads: 3})
	p := engine.Pool2DParams{N: 3, C: 13, H: 33, W: 31, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	nx, ny := p.N*p.C*p.H*p.W, p.N*p.C*p.OutH()*p.OutW()
	x, dy := randSlice(rng, nx), randSlice(rng, ny)
	y, am, dx := make([]float32, ny), make([]float32, ny), make([]float32, nx)
	MaxPool2DForward(y, am, x, p)
	MaxPool2DBackward(dx, dy, am, p)
	xt, dyt, yt, amt, dxt := be.New(nx), be.New(ny), be.New(ny), be.New(ny), be.New(nx)
	be.Upload(xt, x)
	be.Upload(dyt, dy)
	Fill(Data(dxt), 9)
	be.MaxPool2DForward(yt, amt, xt, p)
	be.MaxPool2DBackward(dxt, dyt, amt, p)
	checkClose(t, "MaxPool2DForward", Data(yt), y, 0, 0)
	checkClose(t, "MaxPool2DForward argmax", Data(amt), am, 0, 0)
	checkClose(t, "MaxPool2DBackward", Data(dxt), dx, 0, 0)

	n, c, hw := 3, 13, p.H*p.W
	ga, gb := make([]float32, n*c), make([]float32, n*c*hw)
	GlobalAvgPoolForward(ga, x, n, c, hw)
	GlobalAvgPoolBackward(gb, ga, n, c, hw)
	gat, gbt := be.New(n*c), be.New(n*c*hw)
	be.GlobalAvgPoolForward(gat, xt, n, c, hw)
	be.GlobalAvgPoolBackward(gbt, gat, n, c, hw)
	checkClose(t, "GlobalAvgPoolForward", Data(gat), ga, 0, 0)
	checkClose(t, "GlobalAvgPoolBackward", Data(gbt), gb, 0, 0)

	bias := randSlice(rng, c)
	bt := be.New(c)
	be.Upload(bt, bias)
	yb := append([]float32(nil), x...)
	BiasForward(yb, bias, n, c, hw)
	be.BiasForward(xt, bt, n, c, hw)
	checkClose(t, "BiasForward", Data(xt), yb, 0, 0)
	db := make([]float32, c)
	BiasBackward(db, x, n, c, hw)
	be.Upload(xt, x)
	be.BiasBackward(bt, xt, n, c, hw)
	checkClose(t, "BiasBackward", Data(bt), db, 0, 0)
}
