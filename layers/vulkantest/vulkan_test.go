package vulkantest_test

import (
	"path/filepath"
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

// TestVulkanMatchesCPUTuned: the same with convolution autotuning on
// (TuneConvOnCPU, a cache in a temporary folder), so each new layer shape
// is timed in the middle of the first training step, with the step's work
// pending, and the step still matches the CPU.
func TestVulkanMatchesCPUTuned(t *testing.T) {
	t.Setenv("SIMCLR_VK_AUTOTUNE", "")
	d := vktest.Open(t, vulkan.Options{Autotune: "auto", TuneCache: filepath.Join(t.TempDir(), "tune.json"), TuneConvOnCPU: true})
	noPanic(t, func() { layerstest.MatchesReference(t, cpu.New(cpu.Options{}), d) })
	plan := d.ConvPlan()
	if len(plan) == 0 {
		t.Fatal("no convolution problem was tuned")
	}
	for _, c := range plan {
		if c.Source != "measured" {
			t.Errorf("%s: %s from %s, want measured (%s)", c.Problem, c.Kernel, c.Source, c.Note)
		}
	}
	t.Logf("%d convolution problems tuned, e.g. %s: %s", len(plan), plan[0].Problem, plan[0].Kernel)
}

func TestMemoryDoesNotGrowVulkan(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() { layerstest.MemoryAcrossSteps(t, d) })
}

func TestTrainSmokeVulkan(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() { layerstest.TrainSmoke(t, d) })
}
