package vulkan_test

import (
	"errors"
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vktest"
)

// openCoopMat opens the test device with cooperative matrices on, or skips
// when it has none (Debian 12's lavapipe; Mesa 25.1+ lavapipe and NVIDIA,
// AMD and Intel GPUs with VK_KHR_cooperative_matrix run it).
func openCoopMat(t *testing.T) *vulkan.Device {
	t.Helper()
	vktest.UseLavapipeIfNoDevice()
	d, err := vulkan.Open(vulkan.Options{CoopMat: "on"})
	if errors.Is(err, vulkan.ErrCoopMatUnsupported) {
		t.Skipf("no cooperative matrices here: %v", err)
	}
	if err == nil {
		d.Close()
	}
	d = openDevice(t, vulkan.Options{CoopMat: "on"})
	if d.CoopMat() == "" {
		t.Fatalf("CoopMat on opened %s without a cooperative-matrix kernel", d.Describe())
	}
	t.Logf("cooperative-matrix kernels %s", d.CoopMat())
	return d
}

// TestConformanceCoopMat runs the matrix-product families (Gemm, Conv) on
// the cooperative-matrix kernels against references whose inputs are
// rounded to float16 the same way (engine.MatmulRounder), with the float32
// tolerances, so everything but the rounding of the inputs is checked as
// tightly as the float32 kernels.
func TestConformanceCoopMat(t *testing.T) {
	d := openCoopMat(t)
	conformance.RunFamilies(t, d, "Gemm", "Conv")
	checkValidation(t, d)
}
