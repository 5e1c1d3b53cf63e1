package vulkan_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
)

const lavapipeICD = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"

// TestMain selects lavapipe (software Vulkan) when the caller has not chosen
// a driver and the default ones give no device, so the tests run headless in
// CI and on a real GPU where one exists.
func TestMain(m *testing.M) {
	if os.Getenv("VK_DRIVER_FILES") == "" && os.Getenv("VK_ICD_FILENAMES") == "" {
		if devs, err := vulkan.Devices(); err != nil || len(devs) == 0 {
			if _, err := os.Stat(lavapipeICD); err == nil {
				os.Setenv("VK_DRIVER_FILES", lavapipeICD)
			}
		}
	}
	os.Exit(m.Run())
}

// required reports whether a missing Vulkan driver must fail the tests
// (CI=true or SIMCLR_VK_REQUIRE=1) instead of skipping them.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("SIMCLR_VK_REQUIRE") == "1"
}

// validationLayerInstalled looks for the Khronos validation layer's
// manifest in the standard place and in VK_LAYER_PATH / VK_ADD_LAYER_PATH.
func validationLayerInstalled() bool {
	dirs := []string{"/usr/share/vulkan/explicit_layer.d"}
	for _, env := range []string{"VK_LAYER_PATH", "VK_ADD_LAYER_PATH"} {
		if v := os.Getenv(env); v != "" {
			dirs = append(dirs, strings.Split(v, ":")...)
		}
	}
	for _, dir := range dirs {
		if _, err := os.Stat(dir + "/VkLayer_khronos_validation.json"); err == nil {
			return true
		}
	}
	return false
}

// openDevice opens the default device with validation (when the layer is
// installed, always under CI), skipping without Vulkan unless required. At
// cleanup it fails on any validation message and closes the device.
func openDevice(t testing.TB, opts vulkan.Options) *vulkan.Device {
	t.Helper()
	opts.Validate = opts.Validate || validationLayerInstalled() || required()
	d, err := vulkan.Open(opts)
	if err != nil {
		if opts.GemmVariant == "subgroup" && strings.Contains(err.Error(), "needs 8-wide subgroups") {
			t.Skipf("this device cannot run the subgroup GEMM: %v", err)
		}
		if required() {
			t.Fatalf("Vulkan required (CI=true or SIMCLR_VK_REQUIRE=1): %v", err)
		}
		t.Skipf("no usable Vulkan device, skipping: %v", err)
	}
	t.Logf("%s (gemm %s)", d.Describe(), d.GemmVariant())
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		checkValidation(t, d)
	})
	return d
}

// checkValidation fails the test on any validation-layer message.
func checkValidation(t testing.TB, d *vulkan.Device) {
	t.Helper()
	if msgs := d.ValidationMessages(); len(msgs) > 0 {
		if len(msgs) > 10 {
			msgs = append(msgs[:10], fmt.Sprintf("... and %d more", len(msgs)-10))
		}
		t.Errorf("validation layer reported %d messages:\n%s", len(msgs), strings.Join(msgs, "\n"))
	}
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
