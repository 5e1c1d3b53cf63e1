package vulkan_test

import (
	"errors"
	"os"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vktest"
)

// TestMain selects lavapipe (software Vulkan) when the caller has not chosen
// a driver and the default ones give no device, so the tests run headless in
// CI and on a real GPU where one exists.
func TestMain(m *testing.M) {
	vktest.UseLavapipeIfNoDevice()
	os.Exit(m.Run())
}

var (
	required                 = vktest.Required
	validationLayerInstalled = vktest.ValidationLayerInstalled
	checkValidation          = vktest.CheckValidation
)

// openDevice is vktest.Open, except that a device which cannot run a forced
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
	d := vktest.Open(t, opts)
	t.Logf("gemm kernel %s", d.GemmVariant())
	return d
}

// download reads a tensor, failing the test on error.
func download(t testing.TB, d engine.Backend, x *engine.Tensor) []float32 {
	t.Helper()
	out := make([]float32, x.Numel())
	if err := d.Download(x, out); err != nil {
		t.Fatalf("Download %v: %v", x, err)
	}
	return out
}

func upload(d engine.Backend, data []float32, shape ...int) *engine.Tensor {
	x := d.New(shape...)
	d.Upload(x, data)
	return x
}
