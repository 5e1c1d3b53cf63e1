package vkrt

import (
	"testing"

	"simclr-vk/engine/vulkan/internal/testdev"
)

// openTest opens a runtime Device for this package's tests (its tensors
// belong to no Backend), with testdev's validation and skip policy.
func openTest(t *testing.T, cfg Config) *Device {
	t.Helper()
	return testdev.Open(t, ValidationAvailable(), func(validate bool) (*Device, error) {
		cfg.Validate = cfg.Validate || validate
		return Open(cfg)
	})
}

// openSticky opens a Device for a test that provokes a sticky error,
// which openTest's cleanup would report from Close: Close's error is
// ignored, and the validation layer (on where the probe device validates)
// must stay silent.
func openSticky(t *testing.T, cfg Config, probe *Device) *Device {
	t.Helper()
	cfg.Validate = probe.Validating()
	d, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		if m := d.ValidationMessages(); len(m) > 0 {
			t.Errorf("validation messages: %q", m)
		}
	})
	return d
}
