package vulkan

import (
	"slices"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
)

// TestConformanceConvTiled runs the Conv and Float16Conv families with
// each kernel forced (Options.ConvVariant: every shared-memory tile
// variant that fits the device, Winograd, register blocks), whatever the
// device (lavapipe in CI); TestConformance covers the kernels the device
// picks by itself. The family's own tests (internal/conv) check the
// kernels one by one. Float16 activations run the forced tile's _f16
// variant where it has one, else the table's float16 kernel (never
// Winograd or cooperative matrices).
func TestConformanceConvTiled(t *testing.T) {
	probe := openInternal(t, Options{})
	tiled16 := probe.conv.TiledKernels16()
	// run fails t unless a 3x3 stride-1 forward pass runs the kernel named
	// want (or one of its family, for "regblock"), and its float16 pass
	// the float16 variant of want where there is one (else a float16
	// kernel), then runs the suite.
	run := func(t *testing.T, want string) {
		d := openInternal(t, Options{ConvVariant: want})
		p := engine.Conv2DParams{N: 2, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
		if k, _ := d.Plans().ConvKernel("forward", p); k != want && !(want == "regblock" && strings.HasPrefix(k, "regblock_")) {
			t.Fatalf("forward convolution runs %s, want the forced %s", k, want)
		}
		k16, _ := d.Plans().ConvKernelFloat16("forward", p)
		if !strings.HasSuffix(k16, "_f16") || (slices.Contains(tiled16, want+"_f16") && k16 != want+"_f16") ||
			(want == "regblock" && !strings.HasPrefix(k16, "regblock_")) {
			t.Fatalf("float16 forward convolution runs %s with %s forced", k16, want)
		}
		conformance.RunFamilies(t, d, "Conv", "Float16Conv")
	}
	for _, v := range probe.conv.TiledKernels() {
		t.Run(v, func(t *testing.T) { run(t, v) })
	}
	// Winograd for the problems it computes (3x3, stride 1), the table's
	// kernels for the others; the register-blocked kernel for all (on CPU
	// devices the table gives the 3x3 layers to Winograd).
	for _, v := range []string{"winograd_f2x3", "winograd_f4x3", "regblock"} {
		t.Run(v, func(t *testing.T) { run(t, v) })
	}
}
