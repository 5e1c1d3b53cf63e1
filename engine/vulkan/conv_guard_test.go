package vulkan_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
)

// TestConvPoolBiasGuardBand runs every conv, bias and pooling kernel with
// its output placed directly between two guard bands (Device.NewGuarded)
// on shapes whose last tile is partial, checking the guards and the values
// against the CPU references, with both convolution kernel shapes.
func TestConvPoolBiasGuardBand(t *testing.T) {
	for _, v := range []string{"regblock", "tiled"} {
		t.Run(v, func(t *testing.T) {
			testConvPoolBiasGuardBand(t, v)
		})
	}
}

func testConvPoolBiasGuardBand(t *testing.T, convVariant string) {
	d := openDevice(t, vulkan.Options{ConvVariant: convVariant})
	probe := engine.Conv2DParams{N: 2, C: 3, H: 7, W: 7, K: 5, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	if k, _ := d.Plans().ConvKernel("forward", probe); !strings.HasPrefix(k, convVariant+"_") {
		t.Fatalf("forward convolution runs %s, want the forced %s kernel", k, convVariant)
	}
	rng := rand.New(rand.NewSource(11))
	const s = conformance.Sentinel
	tol := conformance.Tol{Atol: 1e-4, Rtol: 1e-5}
	// run checks one op writing the guarded output of the given shape.
	run := func(name string, shape []int, op func(out *engine.Tensor), want []float32) {
		t.Helper()
		g, err := d.NewGuarded(s, 37, shape...)
		if err != nil {
			t.Fatal(err)
		}
		op(g.T)
		if err := g.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		conformance.Close(t, name, download(t, d, g.T), want, tol)
		g.Release()
	}
	for _, p := range []engine.Conv2DParams{
		{N: 3, C: 5, H: 7, W: 9, K: 13, R: 3, S: 3, StrideH: 2, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 7, H: 5, W: 5, K: 3, R: 1, S: 1, StrideH: 1, StrideW: 1},
		{N: 1, C: 66, H: 3, W: 3, K: 65, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		// enough pixels for the filter gradient to split its reduction
		{N: 4, C: 3, H: 17, W: 17, K: 5, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	} {
		P, Q := p.OutH(), p.OutW()
		nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C*p.R*p.S, p.N*p.K*P*Q
		x, w, dy := conformance.Rand(rng, nx, -1, 1), conformance.Rand(rng, nw, -1, 1), conformance.Rand(rng, ny, -1, 1)
		xt, wt, dyt := upload(d, x, nx), upload(d, w, nw), upload(d, dy, ny)
		y, dx, dw := make([]float32, ny), make([]float32, nx), make([]float32, nw)
		cpu.Conv2DForward(y, x, w, p)
		cpu.Conv2DBackwardData(dx, dy, w, p)
		cpu.Conv2DBackwardFilter(dw, dy, x, p)
		name := fmt.Sprint(p)
		run("Conv2DForward "+name, []int{ny}, func(o *engine.Tensor) { d.Conv2DForward(o, xt, wt, p) }, y)
		run("Conv2DBackwardData "+name, []int{nx}, func(o *engine.Tensor) { d.Conv2DBackwardData(o, dyt, wt, p) }, dx)
		run("Conv2DBackwardFilter "+name, []int{nw}, func(o *engine.Tensor) { d.Conv2DBackwardFilter(o, dyt, xt, p) }, dw)
		xt.Release()
		wt.Release()
		dyt.Release()
	}

	pp := engine.Pool2DParams{N: 2, C: 3, H: 9, W: 7, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	nx, ny := pp.N*pp.C*pp.H*pp.W, pp.N*pp.C*pp.OutH()*pp.OutW()
	x, dy := conformance.Rand(rng, nx, -1, 1), conformance.Rand(rng, ny, -1, 1)
	y, am, dx := make([]float32, ny), make([]float32, ny), make([]float32, nx)
	cpu.MaxPool2DForward(y, am, x, pp)
	cpu.MaxPool2DBackward(dx, dy, am, pp)
	xt, dyt, amt := upload(d, x, nx), upload(d, dy, ny), upload(d, am, ny)
	scratch := d.New(ny)
	run("MaxPool2DForward y", []int{ny}, func(o *engine.Tensor) { d.MaxPool2DForward(o, scratch, xt, pp) }, y)
	run("MaxPool2DForward argmax", []int{ny}, func(o *engine.Tensor) { d.MaxPool2DForward(scratch, o, xt, pp) }, am)
	run("MaxPool2DBackward", []int{nx}, func(o *engine.Tensor) { d.MaxPool2DBackward(o, dyt, amt, pp) }, dx)

	n, c, hw := 3, 5, 13
	ga, gb := make([]float32, n*c), make([]float32, n*c*hw)
	cpu.GlobalAvgPoolForward(ga, x[:n*c*hw], n, c, hw)
	cpu.GlobalAvgPoolBackward(gb, dy[:n*c], n, c, hw)
	xs, dys := upload(d, x[:n*c*hw], n*c*hw), upload(d, dy[:n*c], n*c)
	run("GlobalAvgPoolForward", []int{n * c}, func(o *engine.Tensor) { d.GlobalAvgPoolForward(o, xs, n, c, hw) }, ga)
	run("GlobalAvgPoolBackward", []int{n * c * hw}, func(o *engine.Tensor) { d.GlobalAvgPoolBackward(o, dys, n, c, hw) }, gb)
	bias := dy[:c]
	bt := upload(d, bias, c)
	yb := append([]float32(nil), x[:n*c*hw]...)
	cpu.BiasForward(yb, bias, n, c, hw)
	run("BiasForward", []int{n * c * hw}, func(o *engine.Tensor) { d.Copy(o, xs); d.BiasForward(o, bt, n, c, hw) }, yb)
	db := make([]float32, c)
	cpu.BiasBackward(db, x[:n*c*hw], n, c, hw)
	run("BiasBackward", []int{c}, func(o *engine.Tensor) { d.BiasBackward(o, xs, n, c, hw) }, db)
	for _, t := range []*engine.Tensor{xt, dyt, amt, scratch, xs, dys, bt} {
		t.Release()
	}
}
