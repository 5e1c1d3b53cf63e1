package vulkantest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/internal/testdev"
)

// LavapipeICD is Mesa's software Vulkan driver manifest on Debian.
const LavapipeICD = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"

// Required reports whether a missing Vulkan device must fail the tests
// (CI=true or SIMCLR_VK_REQUIRE=1) instead of skipping them.
func Required() bool { return testdev.Required() }

var lavapipeOnce sync.Once

// UseLavapipeIfNoDevice points the loader at lavapipe when the caller chose
// no driver (VK_DRIVER_FILES / VK_ICD_FILENAMES) and the default drivers give
// no device, so tests run headless in CI and on a real GPU where one exists.
func UseLavapipeIfNoDevice() {
	lavapipeOnce.Do(func() {
		if os.Getenv("VK_DRIVER_FILES") != "" || os.Getenv("VK_ICD_FILENAMES") != "" {
			return
		}
		if devs, err := vulkan.Devices(); err == nil && len(devs) > 0 {
			return
		}
		if _, err := os.Stat(LavapipeICD); err == nil {
			os.Setenv("VK_DRIVER_FILES", LavapipeICD)
		}
	})
}

// ValidationLayerInstalled reports whether the Vulkan loader offers the
// Khronos validation layer (vulkan.ValidationAvailable).
func ValidationLayerInstalled() bool { return vulkan.ValidationAvailable() }

// Open opens a device with opts, validation on when the layer is installed
// (always when Required). Without a usable device it skips, or fails when
// Required. At cleanup it closes the device and fails on any validation
// message.
func Open(t testing.TB, opts vulkan.Options) *vulkan.Device {
	t.Helper()
	UseLavapipeIfNoDevice()
	opts.Validate = opts.Validate || ValidationLayerInstalled() || Required()
	if opts.TuneCache == "" {
		// Even with SIMCLR_VK_AUTOTUNE=on, tests never touch the user's
		// GEMM tuning cache.
		opts.TuneCache = filepath.Join(t.TempDir(), "gemm-tune.json")
	}
	d, err := vulkan.Open(opts)
	if err != nil {
		if Required() {
			t.Fatalf("Vulkan required (CI=true or SIMCLR_VK_REQUIRE=1): %v", err)
		}
		t.Skipf("no usable Vulkan device (set CI=true to make this fail): %v", err)
	}
	t.Logf("device: %s", d.Describe())
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		CheckValidation(t, d)
	})
	return d
}

// Tuned returns opts with autotuning on as a GPU run has it (Autotune
// auto, and TuneConvOnCPU so that the convolution tuner times its
// candidates on a CPU device such as lavapipe too) and clears
// SIMCLR_VK_AUTOTUNE for t, so that the caller's environment cannot turn
// it off. Open gives the tuning cache a temporary file.
func Tuned(t testing.TB, opts vulkan.Options) vulkan.Options {
	t.Helper()
	t.Setenv("SIMCLR_VK_AUTOTUNE", "")
	opts.Autotune, opts.TuneConvOnCPU = "auto", true
	return opts
}

// CheckValidation fails the test on any validation-layer message collected
// so far.
func CheckValidation(t testing.TB, d *vulkan.Device) {
	t.Helper()
	if msgs := d.ValidationMessages(); len(msgs) > 0 {
		if len(msgs) > 10 {
			msgs = append(msgs[:10], fmt.Sprintf("... and %d more", len(msgs)-10))
		}
		t.Errorf("validation layer reported %d messages:\n%s", len(msgs), strings.Join(msgs, "\n"))
	}
}

// OpenCoopMat is Open with opts and cooperative matrices on (vulkan.Options
// CoopMat "on"); it skips, even when Required, where the device has none
// usable (Debian 12's lavapipe; Mesa 26.1's lavapipe and GPUs with
// VK_KHR_cooperative_matrix run the tests), and fails where the device
// has them but the kernels fail the open-time self-check.
func OpenCoopMat(t testing.TB, opts vulkan.Options) *vulkan.Device {
	t.Helper()
	UseLavapipeIfNoDevice()
	opts.CoopMat = "on"
	probe, err := vulkan.Open(vulkan.Options{CoopMat: "on"})
	if errors.Is(err, vulkan.ErrCoopMatUnsupported) {
		t.Skipf("no cooperative matrices here: %v", err)
	}
	if errors.Is(err, vulkan.ErrCoopMatSelfCheck) {
		t.Fatalf("the device has cooperative matrices but the kernels fail: %v", err)
	}
	if err == nil {
		probe.Close()
	}
	d := Open(t, opts)
	if d.Plans().CoopMat() == "" {
		t.Fatalf("CoopMat on opened %s without a cooperative-matrix kernel", d.Describe())
	}
	return d
}

// CoopMatFloat16 reports whether d's float16 convolutions run on its
// cooperative-matrix tiles (vulkan.Plans.CoopMatFloat16), for the tests
// of those tiles. Where the float16 self-check at open turned them off
// it fails t on a CPU device (lavapipe keeps float16 subnormals) and
// elsewhere logs why and returns false: a GPU may flush them, the
// float16 convolutions then run the float32-tile _f16 kernels, and the
// fallback has tests of its own.
func CoopMatFloat16(t testing.TB, d *vulkan.Device) bool {
	t.Helper()
	cm, off := d.Plans().CoopMatFloat16()
	switch {
	case off == "":
		return cm != ""
	case d.Info().Type == "cpu":
		t.Fatalf("%s: float16 convolutions off the cooperative-matrix tiles: %s", d.Describe(), off)
	default:
		t.Logf("%s: float16 convolutions off the cooperative-matrix tiles, their tests skipped: %s", d.Info().Name, off)
	}
	return false
}
