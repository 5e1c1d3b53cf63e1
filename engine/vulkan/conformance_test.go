package vulkan_test

import (
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan"
)

// TestConformance runs the shared suite on the default device (lavapipe in
// CI) with validation on, failing on any validation message.
func TestConformance(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	conformance.Run(t, d)
	checkValidation(t, d)
}

// TestConformanceGemmTiled checks the GPU GEMM kernel (shared-memory tiles)
// on whatever device runs the tests, lavapipe included.
func TestConformanceGemmTiled(t *testing.T) {
	for _, v := range []string{"tiled", "subgroup", "regblock"} {
		t.Run(v, func(t *testing.T) {
			d := openDevice(t, vulkan.Options{GemmVariant: v})
			conformance.RunFamilies(t, d, "Gemm")
			checkValidation(t, d)
		})
	}
}

// TestConformanceStaging runs the suite with tensors in unmapped memory and
// transfers through the staging buffer (the path of discrete GPUs without
// host-visible device memory).
func TestConformanceStaging(t *testing.T) {
	d := openDevice(t, vulkan.Options{ForceStaging: true})
	conformance.RunFamilies(t, d, "Elementwise", "Gemm", "Reduce")
	checkValidation(t, d)
}
