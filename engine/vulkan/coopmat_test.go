package vulkan_test

import (
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan/vktest"
)

// TestConformanceCoopMat runs the matrix-product families (Gemm, Conv) on
// the cooperative-matrix kernels against references whose inputs are
// rounded to float16 the same way (engine.MatmulRounder), with the float32
// tolerances, so everything but the rounding of the inputs is checked as
// tightly as the float32 kernels.
func TestConformanceCoopMat(t *testing.T) {
	d := vktest.OpenCoopMat(t)
	t.Logf("cooperative-matrix kernels %s", d.CoopMat())
	conformance.RunFamilies(t, d, "Gemm", "Conv")
	checkValidation(t, d)
}
