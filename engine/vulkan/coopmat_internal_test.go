package vulkan

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// TestCoopMatSelfCheckFailure: when the cooperative-matrix kernel cannot be
// built (an injected pipeline failure), Open with CoopMat "on" fails with
// ErrCoopMatUnsupported naming the self-check, and leaves nothing behind
// (a second Open works).
func TestCoopMatSelfCheckFailure(t *testing.T) {
	probe := openInternal(t, Options{})
	if probe.info.CoopMatKernel == "" {
		t.Skipf("no cooperative matrices here: %s", probe.info.CoopMatMissing)
	}
	broken := "gemm_tiled_128x128_db_" + probe.info.CoopMatKernel
	pipelineFault = func(shader string) error {
		if shader == broken {
			return errors.New("vkCreateComputePipelines: VK_ERROR_UNKNOWN (injected)")
		}
		return nil
	}
	defer func() { pipelineFault = nil }()
	d, err := Open(Options{CoopMat: "on"})
	if err == nil {
		d.Close()
		t.Fatal("Open succeeded with the cooperative-matrix kernel broken")
	}
	if !errors.Is(err, ErrCoopMatUnsupported) || !strings.Contains(err.Error(), "self-check failed") || !strings.Contains(err.Error(), broken) {
		t.Fatalf("error %q: want ErrCoopMatUnsupported naming the self-check and %s", err, broken)
	}
	pipelineFault = nil
	d = openInternal(t, Options{CoopMat: "on"})
	if d.cm == "" {
		t.Fatal("the second Open has no cooperative matrices")
	}
}

// TestCoopMatStructSizes: the cgo mirrors of the Vulkan structs have the
// sizes of the C definitions in the Vulkan headers (1.3.255+) on 64-bit
// platforms.
func TestCoopMatStructSizes(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"VkCooperativeMatrixPropertiesKHR", coopMatPropsSize(), 16 + 9*4 + 4},
		{"VkPhysicalDeviceCooperativeMatrixFeaturesKHR", coopMatFeaturesSize(), 16 + 2*4},
		{"VkPhysicalDeviceShaderFloat16Int8Features", coopMatFloat16Size(), 16 + 2*4},
		{"VkPhysicalDeviceVulkanMemoryModelFeatures", coopMatMemoryModelSize(), 16 + 3*4 + 4},
		{"VkPhysicalDeviceFeatures2", coopMatFeatures2Size(), 16 + 55*4 + 4},
	} {
		if unsafe.Sizeof(uintptr(0)) == 8 && c.got != c.want {
			t.Errorf("%s mirror: %d bytes, want %d", c.name, c.got, c.want)
		}
	}
}
