package conv

import (
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"slices"
	"syscall"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/rttest"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

func TestConvFilterSplit(t *testing.T) {
	for _, c := range []struct{ total, groups, outN, target int }{
		{1, 1, 1, 32}, {63, 1, 9, 32}, {401408, 2, 2304, 32}, {401408, 4096, 2359296, 1024}, {1000, 3, 1 << 23, 1024},
	} {
		chunks, chunk := convFilterSplit(c.total, c.groups, c.outN, c.target)
		if chunks < 1 || chunk < 1 || (chunks-1)*chunk >= c.total || chunks*chunk < c.total {
			t.Errorf("%+v: %d chunks of %d do not tile %d pixels", c, chunks, chunk, c.total)
		}
		if chunks > 1 && (chunk < 64 || chunks*c.outN > 1<<24) {
			t.Errorf("%+v: %d chunks of %d: chunk too small or partials too large", c, chunks, chunk)
		}
	}
}

// processCPUSeconds is the user + system CPU time of this process.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

var convBenchBatch = flag.Int("conv-batch", 4, "BenchmarkConvTiles: images per convolution")

var convBenchFloat16 = flag.Bool("conv-float16", false, "BenchmarkConvTiles: float16 activations (the _f16 kernels)")

// openBench opens the family on the default device for the benchmarks,
// without validation (it slows recording down; SIMCLR_VK_VALIDATE=1 still
// turns it on), with autotuning (for the "default" choice) where
// SIMCLR_VK_AUTOTUNE asks for it, into SIMCLR_VK_TUNE_CACHE or the user's
// cache, as a Device would.
func openBench(b *testing.B) *Ops {
	b.Helper()
	var tuner *tune.Service
	mode := os.Getenv("SIMCLR_VK_AUTOTUNE")
	if mode == "on" {
		mode = "auto"
	}
	if mode == "auto" || mode == "refresh" {
		path := os.Getenv("SIMCLR_VK_TUNE_CACHE")
		if path == "" {
			path = tune.DefaultCachePath()
		}
		tuner = &tune.Service{Mode: mode, Path: path}
	}
	rt := rttest.OpenBench(b, vkrt.Config{})
	g, err := gemm.New(rt, gemm.Config{CoopMat: rt.CoopMat(), Tuner: tuner})
	if err != nil {
		b.Fatal(err)
	}
	return New(rt, Config{CoopMat: rt.CoopMat(), Tuner: tuner, Gemm: g, Elt: eltwise.New(rt)})
}

// BenchmarkConvTiles times the three conv kernels with several tile
// choices on ResNet-18 layer shapes (-conv-batch images), in GFLOP/s, to
// pick convTileFor's defaults per device type. Run it on the device in
// question, e.g. go test -run X -bench ConvTiles -conv-batch 256;
// -conv-float16 times the float16-activation kernels instead (no
// Winograd).
func BenchmarkConvTiles(b *testing.B) {
	d := openBench(b)
	n := *convBenchBatch
	layers := []struct {
		name string
		p    engine.Conv2DParams
	}{
		{"w16_stem_3x3_1to16_28x28", engine.Conv2DParams{N: n, C: 1, H: 28, W: 28, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
		{"w64_stem_3x3_3to64_32x32", engine.Conv2DParams{N: n, C: 3, H: 32, W: 32, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
		{"w16_layer1_3x3_16to16_28x28", engine.Conv2DParams{N: n, C: 16, H: 28, W: 28, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
		{"w64_layer1_3x3_64to64_32x32", engine.Conv2DParams{N: n, C: 64, H: 32, W: 32, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
		{"w64_layer3_3x3_s2_128to256_16x16", engine.Conv2DParams{N: n, C: 128, H: 16, W: 16, K: 256, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}},
		{"w64_layer3_downsample_1x1_s2_128to256_16x16", engine.Conv2DParams{N: n, C: 128, H: 16, W: 16, K: 256, R: 1, S: 1, StrideH: 2, StrideW: 2}},
		{"w64_layer4_3x3_512to512_4x4", engine.Conv2DParams{N: n, C: 512, H: 4, W: 4, K: 512, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
	}
	rb := func(wgX, wgY, tm, tn int) convTile { return convTile{wgX: wgX, wgY: wgY, tm: tm, tn: tn} }
	tiles := []convTile{rb(16, 4, 4, 4), rb(8, 8, 4, 4), rb(16, 4, 8, 8), rb(8, 8, 8, 8)}
	if d.Info.Type != "cpu" {
		tiles = []convTile{rb(32, 8, 4, 4), rb(16, 16, 4, 4)}
	}
	act := d.RT.New // the activations' allocator
	if *convBenchFloat16 {
		for i := range tiles {
			tiles[i].f16 = true
		}
		tiles = append(tiles, convTiledVariants16...)
		act = d.RT.NewFloat16
	} else {
		tiles = append(append(tiles, convTiledVariants...), convWinograd, convWinograd4)
	}
	for _, l := range layers {
		p := l.p
		x, w, y := act(p.N*p.C*p.H*p.W), d.RT.New(p.K*p.C*p.R*p.S), act(p.N*p.K*p.OutH()*p.OutW())
		d.RT.Fill(x, 0.5)
		d.RT.Fill(w, 0.25)
		d.RT.Fill(y, 1)
		dx, dw := act(x.Numel()), d.RT.New(w.Numel())
		for _, t := range append([]convTile{{}}, tiles...) {
			name := t.name()
			if t.wgX != 0 || t.tiled {
				if !d.fits(t) {
					continue
				}
			}
			for _, pass := range []string{"forward", "backward_data", "backward_filter"} {
				if t.winograd != 0 && !d.winogradFits(pass, p, t.winograd) {
					continue
				}
				record := func(tt convTile) {
					switch pass {
					case "forward":
						d.conv2dForward(y, x, w, p, tt)
					case "backward_data":
						d.conv2dBackwardData(dx, y, w, p, tt)
					default:
						d.conv2dBackwardFilter(dw, y, x, p, tt)
					}
				}
				tt := t
				if t == (convTile{}) { // the default choice (table, or measured with autotuning)
					name = "default"
					o := map[string]*engine.Tensor{"forward": y, "backward_data": dx, "backward_filter": dw}[pass]
					tt = d.convTileFor(pass, p, *convBenchFloat16, o, record)
				}
				b.Run(l.name+"/"+pass+"/"+name, func(b *testing.B) {
					run := func() { record(tt) }
					run()
					if err := d.RT.Flush(); err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					cpu0 := processCPUSeconds()
					for i := 0; i < b.N; i++ {
						run()
					}
					if err := d.RT.Flush(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(p.Flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					// Per CPU-second of this process: the fair measure for
					// CPU devices (lavapipe) on a shared machine.
					b.ReportMetric(p.Flops()*float64(b.N)/(processCPUSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
				})
			}
		}
		for _, t := range []*engine.Tensor{x, w, y, dx, dw} {
			t.Release()
		}
	}
}

// TestWinogradTransforms checks each Winograd kernel against its CPU
// reference (for F(2x2,3x3) and F(4x4,3x3): the filter transform in both
// orientations, the input transform with every padding up to 2 and
// partial last tiles, the output transform; for F(3x3,2x2) and
// F(3x3,4x4): the dy and filter-gradient transforms), then the composed
// passes against the direct references on shapes with partial tiles.
func TestWinogradTransforms(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	rng := rand.New(rand.NewSource(9))
	tol := conformance.Tol{Atol: 1e-5, Rtol: 1e-5}
	for _, p := range []engine.Conv2DParams{
		{N: 1, C: 1, H: 1, W: 1, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 3, H: 7, W: 6, K: 5, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 0},
		{N: 3, C: 13, H: 9, W: 11, K: 17, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	} {
		name := p.String()
		P, Q := p.OutH(), p.OutW()
		x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
		xt := conformance.Upload(d.backend(), x, len(x))
		for _, m := range engine.WinogradTileSizes {
			for _, pass := range []string{"forward", "backward_data", "backward_filter"} {
				if !d.winogradFits(pass, p, m) {
					t.Fatalf("%s F%d %s: winogradFits false", name, m, pass)
				}
			}
			a2 := (m + 2) * (m + 2)
			f := fmt.Sprintf("_f%d", m)
			for _, flip := range []bool{false, true} {
				w := conformance.Rand(rng, p.K*p.C*9, -1, 1)
				want := make([]float32, a2*p.K*p.C)
				cpu.WinogradFilterTransform(want, w, p.K, p.C, flip, m)
				wt, u := conformance.Upload(d.backend(), w, len(w)), d.RT.New(len(want))
				d.RT.Dispatch(kernel{Shader: "winograd_filter_transform" + f, Push: &pushWinogradFilter{uint32(p.K), uint32(p.C), b2u(flip)},
					Groups: [3]int{vkrt.CeilDiv(p.K*p.C, 256), 1, 1}, Args: []arg{out(u), in(wt)}})
				conformance.Close(t, fmt.Sprintf("%s F%d filter flip=%v", name, m, flip), conformance.Download(t, d.backend(), u), want, tol)
				wt.Release()
				u.Release()
			}
			tp, tq := engine.WinogradTiles(p, m)
			T := p.N * tp * tq
			wantV := make([]float32, a2*p.C*T)
			cpu.WinogradInputTransform(wantV, x, p, m)
			v := d.RT.New(len(wantV))
			d.RT.Dispatch(kernel{Shader: "winograd_input_transform" + f,
				Push:   &pushWinogradInput{uint32(p.N), uint32(p.C), uint32(p.H), uint32(p.W), uint32(p.PadH), uint32(p.PadW), uint32(tp), uint32(tq)},
				Groups: [3]int{vkrt.CeilDiv(T, 256), p.C, 1}, Args: []arg{out(v), in(xt)}})
			conformance.Close(t, fmt.Sprintf("%s F%d input", name, m), conformance.Download(t, d.backend(), v), wantV, tol)
			mm := conformance.Rand(rng, a2*p.K*T, -1, 1)
			wantY := make([]float32, p.N*p.K*P*Q)
			cpu.WinogradOutputTransform(wantY, mm, p, m)
			mt, y := conformance.Upload(d.backend(), mm, len(mm)), d.RT.New(len(wantY))
			d.RT.Dispatch(kernel{Shader: "winograd_output_transform" + f,
				Push:   &pushWinogradOutput{uint32(p.N), uint32(p.K), uint32(P), uint32(Q), uint32(tp), uint32(tq)},
				Groups: [3]int{vkrt.CeilDiv(T, 256), p.K, 1}, Args: []arg{out(y), in(mt)}})
			conformance.Close(t, fmt.Sprintf("%s F%d output", name, m), conformance.Download(t, d.backend(), y), wantY, tol)
			for _, tt := range []*engine.Tensor{v, mt, y} {
				tt.Release()
			}
		}

		// F(3x3, 2x2) and F(3x3, 4x4) for the filter gradient.
		dyg := conformance.Rand(rng, p.N*p.K*P*Q, -1, 1)
		dygt, dwt := conformance.Upload(d.backend(), dyg, len(dyg)), d.RT.New(p.K*p.C*9)
		for _, m := range engine.WinogradTileSizes {
			tp, tq := engine.WinogradTiles(p, m)
			T, a2, f := p.N*tp*tq, (m+2)*(m+2), fmt.Sprintf("_f%d", m)
			wantG := make([]float32, a2*p.K*T)
			cpu.WinogradGradTransform(wantG, dyg, p, m)
			gt := d.RT.New(len(wantG))
			d.RT.Dispatch(kernel{Shader: "winograd_grad_transform" + f,
				Push:   &pushWinogradOutput{uint32(p.N), uint32(p.K), uint32(P), uint32(Q), uint32(tp), uint32(tq)},
				Groups: [3]int{vkrt.CeilDiv(T, 256), p.K, 1}, Args: []arg{out(gt), in(dygt)}})
			conformance.Close(t, fmt.Sprintf("%s F%d grad", name, m), conformance.Download(t, d.backend(), gt), wantG, tol)
			mk := conformance.Rand(rng, a2*p.K*p.C, -1, 1)
			wantDWt := make([]float32, p.K*p.C*9)
			cpu.WinogradFilterGradTransform(wantDWt, mk, p.K, p.C, m)
			mkt := conformance.Upload(d.backend(), mk, len(mk))
			d.RT.Dispatch(kernel{Shader: "winograd_filter_grad_transform" + f, Push: &pushWinogradFilter{uint32(p.K), uint32(p.C), 0},
				Groups: [3]int{vkrt.CeilDiv(p.K*p.C, 256), 1, 1}, Args: []arg{out(dwt), in(mkt)}})
			conformance.Close(t, fmt.Sprintf("%s F%d filter grad", name, m), conformance.Download(t, d.backend(), dwt), wantDWt, tol)
			gt.Release()
			mkt.Release()
		}

		// The compositions, against the direct references.
		w := conformance.Rand(rng, p.K*p.C*9, -1, 1)
		dy := conformance.Rand(rng, p.N*p.K*P*Q, -1, 1)
		wantY := make([]float32, p.N*p.K*P*Q)
		cpu.Conv2DForward(wantY, x, w, p)
		wantDX := make([]float32, len(x))
		cpu.Conv2DBackwardData(wantDX, dy, w, p)
		wantDW := make([]float32, len(w))
		cpu.Conv2DBackwardFilter(wantDW, dy, x, p)
		wt, dyt, dx, y := conformance.Upload(d.backend(), w, len(w)), conformance.Upload(d.backend(), dy, len(dy)), d.RT.New(len(x)), d.RT.New(len(wantY))
		ctol := conformance.Tol{Atol: 1e-4, Rtol: 1e-4}
		for _, c := range []convTile{convWinograd, convWinograd4} {
			d.conv2dForward(y, xt, wt, p, c)
			d.conv2dBackwardData(dx, dyt, wt, p, c)
			conformance.Close(t, name+" forward "+c.name(), conformance.Download(t, d.backend(), y), wantY, ctol)
			conformance.Close(t, name+" backward-data "+c.name(), conformance.Download(t, d.backend(), dx), wantDX, ctol)
		}
		for _, c := range []convTile{convWinograd, convWinograd4} {
			d.conv2dBackwardFilter(dwt, dyt, xt, p, c)
			conformance.Close(t, name+" backward-filter "+c.name(), conformance.Download(t, d.backend(), dwt), wantDW, ctol)
		}
		for _, tt := range []*engine.Tensor{xt, y, wt, dyt, dx, dygt, dwt} {
			tt.Release()
		}
	}
	// A filter gradient with 8192 tiles: its 16 products (F(3x3, 2x2)) go
	// through the split-K class (F(3x3, 4x4): 2048 tiles, the batched
	// products' class).
	p := engine.Conv2DParams{N: 8, C: 3, H: 64, W: 63, K: 5, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	dy := conformance.Rand(rng, p.N*p.K*p.OutH()*p.OutW(), -1, 1)
	want := make([]float32, p.K*p.C*9)
	cpu.Conv2DBackwardFilter(want, dy, x, p)
	xt, dyt, dw := conformance.Upload(d.backend(), x, len(x)), conformance.Upload(d.backend(), dy, len(dy)), d.RT.New(len(want))
	for _, c := range []convTile{convWinograd, convWinograd4} {
		d.conv2dBackwardFilter(dw, dyt, xt, p, c)
		conformance.Close(t, p.String()+" backward-filter (split-K) "+c.name(), conformance.Download(t, d.backend(), dw), want, conformance.Tol{Atol: 1e-3, Rtol: 1e-4})
	}
	if k := d.winogradFilterGemm(16, p.K, p.C, 8192); k != d.cfg.Gemm.Choice(gemm.ClassSplitK) {
		t.Errorf("filter gradient GEMM %s, want the split-K class's", k)
	}
	if d.winogradFits("forward", engine.Conv2DParams{N: 1, C: 1, H: 5, W: 5, K: 1, R: 3, S: 3, StrideH: 2, StrideW: 2}, 2) {
		t.Error("Winograd claims a stride-2 convolution")
	}
}

// TestConvBackwardFilterTiledSplit checks the tiled filter-gradient kernel
// with every compiled variant on shapes whose reduction is split into
// chunks with a short last one (1x1 stride-2 downsample, 3x3 padded, output sizes just
// past a tile edge) against cpu.Conv2DBackwardFilter, and that a second run
// is bit-identical.
func TestConvBackwardFilterTiledSplit(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	rng := rand.New(rand.NewSource(3))
	tiles := convTiledVariants
	for _, p := range []engine.Conv2DParams{
		{N: 3, C: 5, H: 13, W: 13, K: 65, R: 1, S: 1, StrideH: 2, StrideW: 2},
		{N: 2, C: 3, H: 9, W: 9, K: 13, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 66, H: 5, W: 7, K: 3, R: 1, S: 1, StrideH: 1, StrideW: 1},
	} {
		P, Q := p.OutH(), p.OutW()
		x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
		dy := conformance.Rand(rng, p.N*p.K*P*Q, -1, 1)
		want := make([]float32, p.K*p.C*p.R*p.S)
		cpu.Conv2DBackwardFilter(want, dy, x, p)
		xt, dyt, dwt := d.RT.New(len(x)), d.RT.New(len(dy)), d.RT.New(len(want))
		d.RT.Upload(xt, x)
		d.RT.Upload(dyt, dy)
		for _, tl := range tiles {
			if !d.fits(tl) {
				continue
			}
			var first []float32
			for run := 0; run < 2; run++ {
				d.conv2dBackwardFilter(dwt, dyt, xt, p, tl)
				got := make([]float32, len(want))
				if err := d.RT.Download(dwt, got); err != nil {
					t.Fatal(err)
				}
				conformance.Close(t, fmt.Sprintf("%v %+v", p, tl), got, want, conformance.Tol{Atol: 1e-4, Rtol: 1e-4})
				if run == 1 && !slices.Equal(got, first) {
					t.Errorf("%v %+v: two runs differ", p, tl)
				}
				first = got
			}
		}
	}
}

// TestWinogradOverwritesScratch: Winograd's transformed tensors and
// products come from newScratch (no zero fill), so every element must be
// written before it is read. With the memory those tensors will get
// poisoned with NaN first (checked: a scratch tensor taken after the
// poisoning holds NaN), each Winograd pass still matches the CPU.
func TestWinogradOverwritesScratch(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	p := engine.Conv2DParams{N: 3, C: 17, H: 9, W: 11, K: 19, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	P, Q := p.OutH(), p.OutW()
	rng := rand.New(rand.NewSource(12))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	w := conformance.Rand(rng, p.K*p.C*9, -1, 1)
	dy := conformance.Rand(rng, p.N*p.K*P*Q, -1, 1)
	want := map[string][]float32{"forward": make([]float32, len(dy)), "backward_data": make([]float32, len(x)), "backward_filter": make([]float32, len(w))}
	cpu.Conv2DForward(want["forward"], x, w, p)
	cpu.Conv2DBackwardData(want["backward_data"], dy, w, p)
	cpu.Conv2DBackwardFilter(want["backward_filter"], dy, x, p)
	xt, wt, dyt := conformance.Upload(d.backend(), x, len(x)), conformance.Upload(d.backend(), w, len(w)), conformance.Upload(d.backend(), dy, len(dy))
	// poison allocates, fills with NaN and releases tensors of the scratch
	// sizes of every Winograd pass of p, largest first, twice over.
	var sizes []int
	for _, m := range engine.WinogradTileSizes {
		for _, q := range []engine.Conv2DParams{p, engine.WinogradDataParams(p)} {
			tp, tq := engine.WinogradTiles(q, m)
			a2, T := (m+2)*(m+2), q.N*tp*tq
			sizes = append(sizes, a2*q.K*q.C, a2*q.C*T, a2*q.K*T)
		}
	}
	slices.Sort(sizes)
	slices.Reverse(sizes)
	poison := func() {
		var ts []*engine.Tensor
		for range 2 {
			for _, n := range sizes {
				tt := d.RT.New(n)
				d.RT.Fill(tt, float32(math.NaN()))
				ts = append(ts, tt)
			}
		}
		if err := d.RT.Flush(); err != nil {
			t.Fatal(err)
		}
		for _, tt := range ts {
			tt.Release()
		}
	}
	poison()
	s := d.RT.NewScratch(sizes[len(sizes)-1])
	if got := conformance.Download(t, d.backend(), s); !math.IsNaN(float64(got[0])) {
		t.Fatalf("scratch after poisoning holds %g, not NaN: the test could not see an unwritten element", got[0])
	}
	s.Release()
	for _, v := range []string{"winograd_f2x3", "winograd_f4x3"} {
		o := d.with(v) // Config.Variant, on the runtime holding the poisoned memory
		for pass, ref := range want {
			poison()
			out := d.RT.New(len(ref))
			switch pass {
			case "forward":
				o.Conv2DForward(out, xt, wt, p)
			case "backward_data":
				o.Conv2DBackwardData(out, dyt, wt, p)
			default:
				o.Conv2DBackwardFilter(out, dyt, xt, p)
			}
			if k, _ := o.Kernel(pass, p); k != v {
				t.Fatalf("%s ran %s, want %s", pass, k, v)
			}
			conformance.Close(t, v+" "+pass, conformance.Download(t, d.backend(), out), ref, conformance.Tol{Atol: 1e-4, Rtol: 1e-4})
			out.Release()
		}
	}
	for _, tt := range []*engine.Tensor{xt, wt, dyt} {
		tt.Release()
	}
}
