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
