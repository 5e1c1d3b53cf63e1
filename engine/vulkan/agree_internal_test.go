package vulkan

import (
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/tune"
)

// TestTuneRefWithoutMemory: a reference copy that does not fit in memory
// leaves the device usable (no sticky error) and judges nothing, with the
// reason for the tuner's note. (tools/gpucheck.sh runs it with the other
// device-memory exhaustion tests, in their own process.)
func TestTuneRefWithoutMemory(t *testing.T) {
	d := openInternal(t, Options{})
	huge := engine.NewTensor(d, nil, 1<<20, 1<<20) // 4 TiB, never allocated
	if _, err := d.rt.TryNewScratch(huge.Numel()); err == nil || d.Err() != nil {
		t.Fatalf("TryNewScratch of 4 TiB: error %v, device error %v; want an error and no device error", err, d.Err())
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
