package vulkan

import (
	"errors"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

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
