package shaders

import (
	"strings"
	"testing"

	"simclr-vk/tools/shadergen/shaderspec"
)

// TestSPIRVUpToDate fails when a committed .spv is missing or was built from
// another source or other options than the current ones (hashes from the
// manifest; glslc is not run, so another glslc version does not fail it).
func TestSPIRVUpToDate(t *testing.T) {
	if err := shaderspec.Check("."); err != nil {
		t.Fatal(err)
	}
}

func TestEmbedded(t *testing.T) {
	names := Names()
	if len(names) == 0 {
		t.Fatal("no shaders embedded")
	}
	for _, n := range names {
		w, err := SPIRV(n)
		if err != nil {
			t.Fatal(err)
		}
		if v := w[1]; v < 0x00010300 {
			t.Errorf("%s: SPIR-V version %#x, want >= 1.3 (Vulkan 1.1 target)", n, v)
		}
	}
	if _, err := SPIRV("no_such_shader"); err == nil || !strings.Contains(err.Error(), "no_such_shader") {
		t.Errorf("missing shader: err = %v", err)
	}
}
