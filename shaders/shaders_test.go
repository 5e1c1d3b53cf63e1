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

// TestVariants: every generated variant names an embedded .spv, and
// VariantOf finds only those.
func TestVariants(t *testing.T) {
	n := 0
	for src := range variants {
		for _, v := range Variants(src) {
			if _, err := SPIRV(src + "_" + v.Suffix); err != nil {
				t.Error(err)
			}
			n++
		}
	}
	if v := MustVariant("gemm_tiled", "64x64_db"); v.BM != 64 || v.BN != 64 || v.BK != 16 || !v.DB || v.WG() != 256 {
		t.Errorf("gemm_tiled_64x64_db = %+v", v)
	}
	if v := MustVariant("conv2d_forward_tiled", "64x128_cm_s8"); v.WG() != 128 || v.Needs == "" {
		t.Errorf("conv2d_forward_tiled_64x128_cm_s8 = %+v", v)
	}
	if _, ok := VariantOf("gemm_tiled", "no_such"); ok || n < 50 {
		t.Errorf("VariantOf(no_such) found; %d variants", n)
	}
}
