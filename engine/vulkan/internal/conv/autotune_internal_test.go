package conv

import (
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan/internal/testdev"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// TestConvAutotune times the convolution candidates on lavapipe
// (TuneConvOnCPU), on small problems: the first device
// measures each pass once per problem, every candidate, and the results of
// the timed calls equal the CPU reference; a second device takes the same
// choices from the cache without timing; an entry naming a kernel that is
// no longer a candidate is measured again; autotuning off uses the table
// and records nothing.
func TestConvAutotune(t *testing.T) {
	path := tempCache(t)
	p := engine.Conv2DParams{N: 2, C: 16, H: 9, W: 7, K: 33, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	P, Q := p.OutH(), p.OutW()
	rng := rand.New(rand.NewSource(5))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	w := conformance.Rand(rng, p.K*p.C*p.R*p.S, -1, 1)
	dy := conformance.Rand(rng, p.N*p.K*P*Q, -1, 1)
	wantY := make([]float32, len(dy))
	cpu.Conv2DForward(wantY, x, w, p)
	wantDX := make([]float32, len(x))
	cpu.Conv2DBackwardData(wantDX, dy, w, p)
	wantDW := make([]float32, len(w))
	cpu.Conv2DBackwardFilter(wantDW, dy, x, p)
	tol := conformance.Tol{Atol: 1e-4, Rtol: 1e-4}

	// run does the three passes (twice: the second call must not time
	// again) and checks them against the CPU.
	run := func(d *Ops) {
		t.Helper()
		b := d.backend()
		xt, wt, dyt := conformance.Upload(b, x, len(x)), conformance.Upload(b, w, len(w)), conformance.Upload(b, dy, len(dy))
		y, dx, dw := d.RT.New(len(wantY)), d.RT.New(len(wantDX)), d.RT.New(len(wantDW))
		for range 2 {
			d.Conv2DForward(y, xt, wt, p)
			d.Conv2DBackwardData(dx, dyt, wt, p)
			d.Conv2DBackwardFilter(dw, dyt, xt, p)
		}
		conformance.Close(t, "y", conformance.Download(t, b, y), wantY, tol)
		conformance.Close(t, "dx", conformance.Download(t, b, dx), wantDX, tol)
		conformance.Close(t, "dw", conformance.Download(t, b, dw), wantDW, tol)
		for _, tt := range []*engine.Tensor{xt, wt, dyt, y, dx, dw} {
			tt.Release()
		}
	}

	d := openTuned(t, "auto", path, vkrt.Config{})
	run(d)
	plan := d.Plan()
	if len(plan) != 3 {
		t.Fatalf("plan has %d problems, want 3 (one per pass): %+v", len(plan), plan)
	}
	for _, c := range plan {
		checkMeasured(t, c, d.convCandidates)
	}
	fp, err := tune.ReadCache(path)
	if err != nil {
		t.Fatal(err)
	}
	f := *fp
	// The convolution entries (the Winograd candidate's GEMM class has
	// its own entry too).
	f.Entries = slices.DeleteFunc(f.Entries, func(e tune.Entry) bool { return !strings.HasPrefix(e.Class, "conv2d_") })
	if len(f.Entries) != 3 {
		t.Fatalf("cache holds %d convolution entries, want 3", len(f.Entries))
	}

	// From the cache, with one entry edited to a kernel that is no longer
	// a candidate and one to another candidate (obeyed).
	f.Entries[0].Kernel = "tiled_256x256"
	other := "tiled_64x64"
	if f.Entries[1].Kernel == other {
		other = "tiled_128x128"
	}
	f.Entries[1].Kernel = other
	if err := tune.WriteCache(path, &f); err != nil {
		t.Fatal(err)
	}
	d2 := openTuned(t, "auto", path, vkrt.Config{})
	run(d2)
	for _, c := range d2.Plan() {
		switch c.Problem {
		case f.Entries[0].Class:
			if c.Source != "measured" {
				t.Errorf("%s: source %s, want measured (cached kernel unknown)", c.Problem, c.Source)
			}
		case f.Entries[1].Class:
			if c.Source != "cache" || c.Kernel != other {
				t.Errorf("%s: %s from %s, want %s from cache", c.Problem, c.Kernel, c.Source, other)
			}
		default:
			if c.Source != "cache" {
				t.Errorf("%s: source %s, want cache", c.Problem, c.Source)
			}
		}
	}

	d3 := openTest(t, vkrt.Config{}, Config{TuneOnCPU: true}) // autotuning off: no tuner
	run(d3)
	if got := d3.Plan(); len(got) != 0 {
		t.Errorf("autotuning off recorded %v", got)
	}
	if n := len(d.cfg.Tuner.Notes) + len(d2.cfg.Tuner.Notes); n != 0 {
		t.Errorf("notes: %v %v", d.cfg.Tuner.Notes, d2.cfg.Tuner.Notes)
	}
}

// checkMeasured fails t unless the problem c was measured now, timing
// every candidate of its pass (candidates), none rejected, and chose one.
func checkMeasured(t *testing.T, c Choice, candidates func(pass string, p engine.Conv2DParams) []convTile) {
	t.Helper()
	t.Logf("%s: %s from %s (%s), GFLOP/s %v", c.Problem, c.Kernel, c.Source, c.Timing, c.GFLOPs)
	if len(c.Rejected) != 0 {
		t.Errorf("%s: candidates that disagree with the register-blocked reference: %v", c.Problem, c.Rejected)
	}
	var pass string
	var p engine.Conv2DParams
	if _, err := fmt.Sscanf(c.Problem, "conv2d_%s n%d c%d h%d w%d k%d r%d s%d stride%dx%d pad%dx%d", &pass,
		&p.N, &p.C, &p.H, &p.W, &p.K, &p.R, &p.S, &p.StrideH, &p.StrideW, &p.PadH, &p.PadW); err != nil {
		t.Fatalf("%s: %v", c.Problem, err)
	}
	var names []string
	for _, ct := range candidates(pass, p) {
		names = append(names, ct.name())
	}
	timed := slices.Sorted(maps.Keys(c.GFLOPs))
	if c.Source != "measured" || !slices.Contains(names, c.Kernel) || !slices.Equal(timed, slices.Sorted(slices.Values(names))) {
		t.Errorf("%s: %s from %s timing %v; want measured, one of and all of %v", c.Problem, c.Kernel, c.Source, timed, names)
	}
}

// TestConvAutotuneSkipsBrokenKernel: a candidate whose pipeline the driver
// cannot build is skipped with a note; the tuning, the call and the Device
// carry on without a sticky error.
func TestConvAutotuneSkipsBrokenKernel(t *testing.T) {
	broken := "conv2d_forward_tiled_64x128"
	fault := func(shader string) error {
		if shader == broken {
			return errors.New("vkCreateComputePipelines: VK_ERROR_UNKNOWN (injected)")
		}
		return nil
	}
	d := openTuned(t, "auto", tempCache(t), vkrt.Config{PipelineFault: fault})
	p := engine.Conv2DParams{N: 2, C: 8, H: 6, W: 6, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	rng := rand.New(rand.NewSource(6))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	w := conformance.Rand(rng, p.K*p.C*9, -1, 1)
	want := make([]float32, p.N*p.K*p.OutH()*p.OutW())
	cpu.Conv2DForward(want, x, w, p)
	xt, wt, y := conformance.Upload(d.backend(), x, len(x)), conformance.Upload(d.backend(), w, len(w)), d.RT.New(len(want))
	d.Conv2DForward(y, xt, wt, p)
	conformance.Close(t, "y", conformance.Download(t, d.backend(), y), want, conformance.Tol{Atol: 1e-4, Rtol: 1e-4})
	if err := d.RT.Err(); err != nil {
		t.Fatalf("sticky error after a broken candidate: %v", err)
	}
	plan := d.Plan()
	if len(plan) != 1 || plan[0].Source != "measured" {
		t.Fatalf("plan %+v, want one measured problem", plan)
	}
	if _, ok := plan[0].GFLOPs["tiled_64x128"]; ok || plan[0].Kernel == "tiled_64x128" {
		t.Errorf("the broken kernel was timed or chosen: %+v", plan[0])
	}
	if len(d.cfg.Tuner.Notes) != 1 || !strings.Contains(d.cfg.Tuner.Notes[0], "skipping tiled_64x128") {
		t.Errorf("notes %q, want one about skipping tiled_64x128", d.cfg.Tuner.Notes)
	}
}

// TestConvFilterSplits: a filter gradient's candidates include the other
// split-K targets where they change the number of reduction chunks (never
// two variants of a kernel with the same count), and every one of them
// computes the CPU's dw.
func TestConvFilterSplits(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	p := engine.Conv2DParams{N: 6, C: 5, H: 23, W: 21, K: 9, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	// A device with many compute units splits this few pixels into as many
	// chunks as whole tiles allow whatever the target (the H200: 132 SMs):
	// grow the batch until a split variant changes the chunk count.
	for p.N < 6*64 && !slices.ContainsFunc(d.convCandidates("backward_filter", p), func(c convTile) bool { return c.split != 0 }) {
		p.N *= 4
	}
	P, Q := p.OutH(), p.OutW()
	rng := rand.New(rand.NewSource(14))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	dy := conformance.Rand(rng, p.N*p.K*P*Q, -1, 1)
	want := make([]float32, p.K*p.C*9)
	cpu.Conv2DBackwardFilter(want, dy, x, p)
	xt, dyt, dw := conformance.Upload(d.backend(), x, len(x)), conformance.Upload(d.backend(), dy, len(dy)), d.RT.New(len(want))
	chunks := map[string]map[int]bool{} // kernel without its split -> chunk counts
	splits := 0
	for _, c := range d.convCandidates("backward_filter", p) {
		base := c
		base.split = 0
		n, _ := d.convFilterChunks(p, c)
		if chunks[base.name()] == nil {
			chunks[base.name()] = map[int]bool{}
		}
		if chunks[base.name()][n] {
			t.Errorf("%s: %d chunks, like another candidate of %s", c.name(), n, base.name())
		}
		chunks[base.name()][n] = true
		if c.split != 0 {
			splits++
		}
		d.RT.Fill(dw, 7)
		d.conv2dBackwardFilter(dw, dyt, xt, p, c)
		conformance.Close(t, fmt.Sprintf("%s (%d chunks)", c.name(), n), conformance.Download(t, d.backend(), dw), want, conformance.Tol{Atol: 1e-4, Rtol: 1e-4})
	}
	if splits == 0 {
		t.Errorf("no split-K variant among the candidates for %v (%d output pixels)", p, p.N*P*Q)
	}
	t.Logf("%d kernels, %d split variants besides their defaults; chunk counts: %v", len(slices.Collect(maps.Keys(chunks))), splits, chunks)
	for _, tt := range []*engine.Tensor{xt, dyt, dw} {
		tt.Release()
	}
}

// TestConvAutotuneRejectsWrongKernel: a convolution candidate whose output
// is wrong is never chosen, whatever its speed, and the plan says why; the
// real call after the tuning (with the chosen kernel) still computes the
// reference's result.
func TestConvAutotuneRejectsWrongKernel(t *testing.T) {
	d := openTuned(t, "auto", tempCache(t), vkrt.Config{})
	p := engine.Conv2DParams{N: 2, C: 16, H: 9, W: 7, K: 33, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	cands := d.convCandidates("forward", p)
	if len(cands) < 2 {
		t.Skipf("one convolution candidate here: %v", cands)
	}
	bad := cands[len(cands)-1].name()
	calls := 0
	d.cfg.Tuner.Corrupt = testdev.CorruptOne(d.RT, d.cfg.Elt.Add, bad, &calls)
	rng := rand.New(rand.NewSource(8))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	w := conformance.Rand(rng, p.K*p.C*p.R*p.S, -1, 1)
	want := make([]float32, p.N*p.K*p.OutH()*p.OutW())
	cpu.Conv2DForward(want, x, w, p)
	b := d.backend()
	xt, wt, y := conformance.Upload(b, x, len(x)), conformance.Upload(b, w, len(w)), d.RT.New(len(want))
	d.Conv2DForward(y, xt, wt, p)
	conformance.Close(t, "y", conformance.Download(t, b, y), want, conformance.Tol{Atol: 1e-4, Rtol: 1e-4})
	plan := d.Plan()
	if len(plan) != 1 {
		t.Fatalf("plan %+v, want one problem", plan)
	}
	c := plan[0]
	t.Logf("%s: %s, GFLOP/s %v, rejected %v", c.Problem, c.Kernel, c.GFLOPs, c.Rejected)
	if c.Kernel == bad || len(c.Rejected) != 1 || !strings.Contains(c.Rejected[bad], "differs from the register-blocked reference's") {
		t.Errorf("chose %s, rejected %v; want only %s rejected", c.Kernel, c.Rejected, bad)
	}
	// (calls also counts the GEMM candidates of the Winograd products,
	// tuned on the way.)
	if len(c.GFLOPs) != len(cands)-1 || calls < len(cands) {
		t.Errorf("timed %v with %d checks; want the other %d candidates, at least %d checks", c.GFLOPs, calls, len(cands)-1, len(cands))
	}
	for _, tt := range []*engine.Tensor{xt, wt, y} {
		tt.Release()
	}
}

// TestConvAutotuneFloat16 times the float16 candidates on lavapipe
// (TuneConvOnCPU): each pass's problem is keyed " f16", every float16
// candidate is timed and agrees with the float16 register-blocked
// reference (through the float32 copy), the choice is one of them, and
// the outputs equal the CPU emulation within the float32 tolerance plus
// one float16 step, y and dx holding float16 values.
func TestConvAutotuneFloat16(t *testing.T) {
	d := openTuned(t, "auto", tempCache(t), vkrt.Config{})
	if err := d.RT.Float16Storage(); err != nil {
		t.Skipf("no float16 storage: %v", err)
	}
	p := engine.Conv2DParams{N: 2, C: 16, H: 9, W: 7, K: 33, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	P, Q := p.OutH(), p.OutW()
	rng := rand.New(rand.NewSource(18))
	x := round16(conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1))
	w := conformance.Rand(rng, p.K*p.C*p.R*p.S, -1, 1)
	dy := round16(conformance.Rand(rng, p.N*p.K*P*Q, -1, 1))
	wantY, wantDX, wantDW := make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))
	cpu.Conv2DForward(wantY, x, w, p)
	cpu.Conv2DBackwardData(wantDX, dy, w, p)
	cpu.Conv2DBackwardFilter(wantDW, dy, x, p)

	xt, dyt, y, dx := d.RT.NewFloat16(len(x)), d.RT.NewFloat16(len(dy)), d.RT.NewFloat16(len(dy)), d.RT.NewFloat16(len(x))
	wt, dw := d.RT.New(len(w)), d.RT.New(len(w))
	d.RT.Upload(xt, x)
	d.RT.Upload(dyt, dy)
	d.RT.Upload(wt, w)
	d.Conv2DForward(y, xt, wt, p)
	d.Conv2DBackwardData(dx, dyt, wt, p)
	d.Conv2DBackwardFilter(dw, dyt, xt, p)
	tol := conformance.Tol{Atol: 1e-4, Rtol: 1e-4 + 0x1p-10}
	for _, c := range []struct {
		name string
		t    *engine.Tensor
		want []float32
	}{{"y", y, round16(wantY)}, {"dx", dx, round16(wantDX)}, {"dw", dw, wantDW}} {
		got := conformance.Download(t, d.backend(), c.t)
		conformance.Close(t, c.name, got, c.want, tol)
		if c.t.DType() == engine.Float16 && !slices.Equal(got, round16(got)) {
			t.Errorf("%s holds values that are not float16 ones", c.name)
		}
	}
	for _, tt := range []*engine.Tensor{xt, dyt, y, dx, wt, dw} {
		tt.Release()
	}
	plan := d.Plan()
	if len(plan) != 3 {
		t.Fatalf("plan has %d problems, want 3: %+v", len(plan), plan)
	}
	for _, c := range plan {
		if !strings.HasSuffix(c.Problem, " f16") {
			t.Errorf("problem %q is not keyed f16", c.Problem)
		}
		checkMeasured(t, c, d.convCandidates16)
	}
}

// round16 is x as a float16 tensor holds it.
func round16(x []float32) []float32 {
	r := make([]float32, len(x))
	for i, v := range x {
		r[i] = engine.Float16Round(v)
	}
	return r
}
