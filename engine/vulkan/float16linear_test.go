package vulkan_test

import (
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan"
)

// TestConformanceFloat16Linear runs the float16 linear-layer ops
// (Float16Linear) with a GEMM kernel forced that has no float16 variant
// (a GPU tile, split-K, the subgroup kernel: float16 products must still
// run on regblock's _f16 variants, not fail or read uint16_t as float),
// and with transfers through the staging buffer; forced kernels this
// device cannot run are skipped.
func TestConformanceFloat16Linear(t *testing.T) {
	for _, v := range []string{"tiled_32x32", "splitk_32x32", "subgroup"} {
		t.Run(v, func(t *testing.T) {
			d := openDevice(t, vulkan.Options{GemmVariant: v})
			conformance.RunFamilies(t, d, "Float16Linear")
			checkValidation(t, d)
		})
	}
	t.Run("staging", func(t *testing.T) {
		d := openDevice(t, vulkan.Options{ForceStaging: true})
		conformance.RunFamilies(t, d, "Float16Linear")
		checkValidation(t, d)
	})
}
