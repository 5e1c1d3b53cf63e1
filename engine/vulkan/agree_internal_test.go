package vulkan

import (
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan/internal/tune"
)

// corruptOne returns a corrupt hook that adds 1 to every output of the
// kernel named bad (a wrong product, the kind of error a miscompiled
// tile makes), and counts the calls.
func corruptOne(d *Device, bad string, calls *int) func(string, *engine.Tensor) {
	return func(kernel string, out *engine.Tensor) {
		*calls++
		if kernel == bad {
			one := d.New(out.Numel())
			d.Fill(one, 1)
			d.Add(out, out, one)
			one.Release()
		}
	}
}

// TestConvAutotuneRejectsWrongKernel: likewise for a convolution pass, and
// the real call after the tuning (with the chosen kernel) still computes
// the reference's result.
func TestConvAutotuneRejectsWrongKernel(t *testing.T) {
	d := openTuned(t, "auto", filepath.Join(t.TempDir(), "tune.json"))
	d.tuneConvCPU = true
	p := engine.Conv2DParams{N: 2, C: 16, H: 9, W: 7, K: 33, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	cands := d.convCandidates("forward", p)
	if len(cands) < 2 {
		t.Skipf("one convolution candidate here: %v", cands)
	}
	bad := cands[len(cands)-1].name()
	calls := 0
	d.tuner.Corrupt = corruptOne(d, bad, &calls)
	rng := rand.New(rand.NewSource(8))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	w := conformance.Rand(rng, p.K*p.C*p.R*p.S, -1, 1)
	want := make([]float32, p.N*p.K*p.OutH()*p.OutW())
	cpu.Conv2DForward(want, x, w, p)
	xt, wt, y := conformance.Upload(d, x, len(x)), conformance.Upload(d, w, len(w)), d.New(len(want))
	d.Conv2DForward(y, xt, wt, p)
	conformance.Close(t, "y", conformance.Download(t, d, y), want, conformance.Tol{Atol: 1e-4, Rtol: 1e-4})
	plan := d.ConvPlan()
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

// TestTuneRefWithoutMemory: a reference copy that does not fit in memory
// leaves the device usable (no sticky error) and judges nothing, with the
// reason for the tuner's note. (tools/gpucheck.sh runs it with the other
// device-memory exhaustion tests, in their own process.)
func TestTuneRefWithoutMemory(t *testing.T) {
	d := openInternal(t, Options{})
	huge := engine.NewTensor(d, nil, 1<<20, 1<<20) // 4 TiB, never allocated
	if _, err := d.tryNewScratch(huge.Numel()); err == nil || d.Err() != nil {
		t.Fatalf("tryNewScratch of 4 TiB: error %v, device error %v; want an error and no device error", err, d.Err())
	}
	r, err := tune.NewRef(d.rt, huge, d.Copy)
	if err != nil {
		t.Fatal(err)
	}
	if r.Judgeable() || !strings.Contains(r.Why(), "no memory for the reference copy") {
		t.Errorf("reference judgeable %v, why %q", r.Judgeable(), r.Why())
	}
	if err := tune.CheckAgainst(d.rt, r, huge, tune.AgreeTol); err != nil {
		t.Errorf("CheckAgainst without a reference: %v", err)
	}
	r.Release()
	if err := d.Err(); err != nil {
		t.Fatalf("device error after the failed reference: %v", err)
	}
}
