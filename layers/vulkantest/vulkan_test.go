package vulkantest_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

const lavapipeICD = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"

// vulkanRequired: CI=true or SIMCLR_VK_REQUIRE=1 turn a missing Vulkan
// device into a failure instead of a skip.
func vulkanRequired() bool {
	return os.Getenv("CI") == "true" || os.Getenv("SIMCLR_VK_REQUIRE") == "1"
}

// openVulkan opens the default Vulkan device (lavapipe when the default
// drivers give none) with the validation layer on, and fails the test at
// cleanup on any validation message.
func openVulkan(t *testing.T) *vulkan.Device {
	t.Helper()
	if os.Getenv("VK_DRIVER_FILES") == "" && os.Getenv("VK_ICD_FILENAMES") == "" {
		if devs, err := vulkan.Devices(); err != nil || len(devs) == 0 {
			if _, err := os.Stat(lavapipeICD); err == nil {
				os.Setenv("VK_DRIVER_FILES", lavapipeICD)
			}
		}
	}
	d, err := vulkan.Open(vulkan.Options{Validate: true})
	if err != nil {
		if vulkanRequired() {
			t.Fatalf("Vulkan required (CI=true or SIMCLR_VK_REQUIRE=1): %v", err)
		}
		t.Skipf("no usable Vulkan device (set CI=true to make this fail): %v", err)
	}
	t.Logf("device: %s", d.Describe())
	t.Cleanup(func() {
		msgs := d.ValidationMessages()
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if len(msgs) > 0 {
			if len(msgs) > 10 {
				msgs = append(msgs[:10], fmt.Sprintf("... and %d more", len(msgs)-10))
			}
			t.Errorf("validation layer reported %d messages:\n%s", len(msgs), strings.Join(msgs, "\n"))
		}
	})
	return d
}

// noPanic turns an engine panic (e.g. an op the backend does not have yet)
// into a test failure, so the other tests of the binary still run.
func noPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	f()
}

// TestVulkanMatchesCPU: loss, every gradient, BN statistics, parameters
// after 3 LARS steps and eval-mode features of the tiny network on Vulkan
// against the CPU backend.
func TestVulkanMatchesCPU(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() { layerstest.MatchesReference(t, cpu.New(cpu.Options{}), d) })
}

// TestVulkanMatchesCPUBottleneck: the same with Bottleneck blocks and the
// ImageNet stem (max-pool) on 32x32 images, over one LARS step.
func TestVulkanMatchesCPUBottleneck(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() {
		layerstest.MatchesReferenceConfig(t, cpu.New(cpu.Options{}), d, layerstest.TinyConfig("resnet50", layers.StemImageNet), 3, 32, 1)
	})
}

func TestMemoryDoesNotGrowVulkan(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() { layerstest.MemoryAcrossSteps(t, d) })
}

func TestTrainSmokeVulkan(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() { layerstest.TrainSmoke(t, d) })
}
