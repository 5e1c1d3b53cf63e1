package vulkantest_test

import (
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vktest"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// openVulkan opens the default Vulkan device (lavapipe when the default
// drivers give none), see vktest.Open: the validation layer is on wherever
// it is installed (always under CI) and any message fails the test at
// cleanup. Forcing it on here made the tests skip, not run, on a GPU
// machine without the layer.
func openVulkan(t *testing.T) *vulkan.Device {
	t.Helper()
	return vktest.Open(t, vulkan.Options{})
}

// noPanic turns an engine panic (a shape check, a backend bug) into a test
// failure, so the other tests of the binary still run.
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
