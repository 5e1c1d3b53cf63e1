package gemm

import (
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/testdev"
)

// TestGemmAutotuneRejectsWrongKernel: a GEMM candidate whose product is
// wrong is never chosen, whatever its speed, and the plan says why; the
// others are still timed.
func TestGemmAutotuneRejectsWrongKernel(t *testing.T) {
	d := openTuned(t, "auto", filepath.Join(t.TempDir(), "tune.json"))
	cands := d.candidates(classSmall)
	if len(cands) < 2 {
		t.Skipf("%s has one GEMM candidate (%v): nothing to reject in favour of", d.Info.Name, cands)
	}
	bad := cands[0]
	calls := 0
	d.tuner.Corrupt = testdev.CorruptOne(d.RT, (&eltwise.Ops{Family: d.Family}).Add, bad, &calls)
	var c ClassChoice
	for _, pc := range d.Plan() {
		if pc.Class == classSmall {
			c = pc
		}
	}
	t.Logf("%s: %s, GFLOP/s %v, rejected %v", c.Class, c.Kernel, c.GFLOPs, c.Rejected)
	if c.Kernel == bad || !strings.Contains(c.Rejected[bad], "differs from the register-blocked reference's") {
		t.Errorf("class small chose %s, rejected %v; want %s rejected", c.Kernel, c.Rejected, bad)
	}
	if len(c.Rejected) != 1 || len(c.GFLOPs) != len(cands)-1 {
		t.Errorf("rejected %v, timed %v; want only %s rejected and the other %d timed", c.Rejected, c.GFLOPs, bad, len(cands)-1)
	}
	if calls < len(cands) {
		t.Errorf("the agreement check ran %d times for %d candidates", calls, len(cands))
	}
	if !strings.Contains(strings.Join(d.tuner.Notes, "\n"), "rejecting "+bad) {
		t.Errorf("no note of the rejection: %q", d.tuner.Notes)
	}
	if err := d.RT.Err(); err != nil {
		t.Fatal(err)
	}
}
