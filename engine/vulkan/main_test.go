package vulkan_test

import (
	"errors"
	"os"
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
)

// TestMain selects lavapipe (software Vulkan) when the caller has not chosen
// a driver and the default ones give no device, so the tests run headless in
// CI and on a real GPU where one exists.
func TestMain(m *testing.M) {
	vulkantest.UseLavapipeIfNoDevice()
	os.Exit(m.Run())
}

var (
	required                 = vulkantest.Required
	validationLayerInstalled = vulkantest.ValidationLayerInstalled
	checkValidation          = vulkantest.CheckValidation
)

// openDevice is vulkantest.Open, except that a device which cannot run a forced
// GEMM kernel (the subgroup one needs 8-wide subgroups) skips the test.
func openDevice(t testing.TB, opts vulkan.Options) *vulkan.Device {
	t.Helper()
	if opts.GemmVariant != "" {
		d, err := vulkan.Open(vulkan.Options{Device: opts.Device, GemmVariant: opts.GemmVariant})
		if errors.Is(err, vulkan.ErrGemmUnsupported) {
			t.Skipf("this device cannot run the %s GEMM: %v", opts.GemmVariant, err)
		}
		if err == nil {
			d.Close()
		}
	}
	d := vulkantest.Open(t, opts)
	t.Logf("gemm kernel %s", d.GemmVariant())
	return d
}

// download and upload are the conformance suite's helpers.
var (
	download = conformance.Download
	upload   = conformance.Upload
)
