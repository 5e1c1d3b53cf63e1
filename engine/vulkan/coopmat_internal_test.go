package vulkan

import (
	"errors"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// TestCoopMatSelfCheckFailure: when the cooperative-matrix kernel cannot be
// built (an injected pipeline failure), Open with CoopMat "on" fails with
// ErrCoopMatSelfCheck naming the kernel, and leaves nothing behind (a
// second Open works).
func TestCoopMatSelfCheckFailure(t *testing.T) {
	probe := openInternal(t, Options{})
	if probe.info.CoopMatKernel == "" {
		t.Skipf("no cooperative matrices here: %s", probe.info.CoopMatMissing)
	}
	broken := "gemm_tiled_128x128_db_" + probe.info.CoopMatKernel
	fault := func(shader string) error {
		if shader == broken {
			return errors.New("vkCreateComputePipelines: VK_ERROR_UNKNOWN (injected)")
		}
		return nil
	}
	d, err := Open(Options{CoopMat: "on", hooks: &testHooks{pipelineFault: fault}})
	if err == nil {
		d.Close()
		t.Fatal("Open succeeded with the cooperative-matrix kernel broken")
	}
	if !errors.Is(err, ErrCoopMatSelfCheck) || errors.Is(err, ErrCoopMatUnsupported) || !strings.Contains(err.Error(), broken) {
		t.Fatalf("error %q: want ErrCoopMatSelfCheck (not ErrCoopMatUnsupported, which tests skip on) naming %s", err, broken)
	}
	d = openInternal(t, Options{CoopMat: "on"})
	if d.Plans().CoopMat() == "" {
		t.Fatal("the second Open has no cooperative matrices")
	}
}

// TestOpenDeniedFloat16: a deny rule matching the test device refuses
// its float16 storage through the facade (engine.Float16Support wraps
// engine.ErrFeatureDenied, which --precision mixed turns into an error),
// and AllowDenied lifts it.
func TestOpenDeniedFloat16(t *testing.T) {
	probe := openInternal(t, Options{})
	if !probe.info.Float16Storage {
		t.Skipf("no float16 storage here: %s", probe.info.Float16StorageMissing)
	}
	rules := []vkrt.DenyRule{{Feature: vkrt.FeatureFloat16, VendorID: probe.info.VendorID, Reason: "injected reason"}}
	d := openInternal(t, Options{hooks: &testHooks{denyRules: rules}})
	err := engine.Float16Support(d)
	if !errors.Is(err, engine.ErrFeatureDenied) || !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), probe.info.Name) || !strings.Contains(err.Error(), "injected reason") {
		t.Errorf("denied float16 storage: %v", err)
	}
	if d.Info().Float16Denied != "injected reason" {
		t.Errorf("Info().Float16Denied %q", d.Info().Float16Denied)
	}
	d = openInternal(t, Options{AllowDenied: true, hooks: &testHooks{denyRules: rules}})
	if err := engine.Float16Support(d); err != nil {
		t.Errorf("denied float16 storage, AllowDenied: %v", err)
	}
}
