package vkrt

import (
	"os"
	"testing"
)

// openTest opens a runtime Device for this package's tests (its tensors
// belong to no Backend): validation on where the layer is installed, a
// skip without Vulkan unless CI=true or SIMCLR_VK_REQUIRE=1, and a
// failure at cleanup for any validation message.
func openTest(t *testing.T, cfg Config) *Device {
	t.Helper()
	cfg.Validate = cfg.Validate || ValidationAvailable() || os.Getenv("CI") == "true"
	d, err := Open(cfg)
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("SIMCLR_VK_REQUIRE") == "1" {
			t.Fatalf("Vulkan required: %v", err)
		}
		t.Skipf("no Vulkan device: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if msgs := d.ValidationMessages(); len(msgs) > 0 {
			t.Errorf("validation messages: %v", msgs)
		}
	})
	return d
}
