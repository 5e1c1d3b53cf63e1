package gemm

import (
	"fmt"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/shaders"
)

// TestFloat16Routing: a product with any float16 operand runs on regblock
// whatever GemmVariant forces, with cooperative matrices on and by the
// table (a GPU whose float32 choice is a tiled kernel), on the variant
// with exactly its float16 operands; every other kernel refuses float16
// operands with a panic naming it. No device: a GPU-like family.
func TestFloat16Routing(t *testing.T) {
	gpu := vkrt.Family{Info: vkrt.DeviceInfo{Name: "gpu", Type: "discrete"}}
	gpu.Limit.MaxComputeWorkGroupInvocations = 1024
	gpu.Limit.MaxComputeWorkGroupSize = [3]uint32{1024, 1024, 64}
	gpu.Limit.MaxComputeSharedMemorySize = 65536
	gpu.Limit.MaxComputeWorkGroupCount = [3]uint32{65535, 65535, 65535}
	configs := []Config{{}, {CoopMat: "cm_s32"}, {Variant: "coopmat_db", CoopMat: "cm_s32"}}
	for _, v := range append(Kernels(), gemmFamilies...) {
		configs = append(configs, Config{Variant: v})
	}
	f16 := engine.NewTensorOf(nil, engine.Float16, nil, 4)
	f32 := engine.NewTensor(nil, nil, 4)
	for _, cfg := range configs {
		o, err := newOps(gpu, cfg, true)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		for _, sh := range [][4]int{{1, 64, 64, 64}, {1, 1024, 1024, 64}, {1, 64, 64, 16384}, {32, 16, 4096, 16}} {
			batch, m, n, k := sh[0], sh[1], sh[2], sh[3]
			if k32 := o.kernelFor(0, batch, m, n, k); k32 == "regblock" && cfg.Variant != "regblock" {
				t.Errorf("%+v %v: float32 product on regblock; the test wants a GPU whose float32 choice differs", cfg, sh)
			}
			for half := 1; half < 8; half++ {
				if got := o.kernelFor(half, batch, m, n, k); got != "regblock" {
					t.Errorf("%+v %v float16 operands %03b: kernel %s, want regblock", cfg, sh, half, got)
				}
			}
		}
	}
	for half := 1; half < 8; half++ {
		ts := [3]*engine.Tensor{f32, f32, f32} // c, a, b
		for i := range ts {
			if half&(1<<i) != 0 {
				ts[i] = f16
			}
		}
		c, a, b := ts[0], ts[1], ts[2]
		shader := checkHalf("Gemm", "regblock", a, b, c)
		v, ok := shaders.VariantOf("gemm_regblock", strings.TrimPrefix(shader, "gemm_regblock_"))
		if !ok || v.Half != half {
			t.Errorf("float16 operands %03b: shader %s (variant %+v), want the HALF %d variant", half, shader, v, half)
		}
		for _, k := range append(Kernels(), "coopmat", "coopmat_db") {
			if k == "regblock" {
				continue
			}
			msg := refusal(k, a, b, c)
			if !strings.HasPrefix(msg, "engine: Gemm: GEMM kernel "+k+" has no float16 variant") {
				t.Errorf("%s with float16 operands %03b: panic %q, want a refusal naming the kernel", k, half, msg)
			}
		}
	}
	if s := checkHalf("Gemm", "tiled_128x128", f32, f32, f32); s != "" {
		t.Errorf("float32 operands: %q, want no float16 shader", s)
	}
}

// refusal is checkHalf's panic for a kernel choice, "<nil>" for none.
func refusal(choice string, a, b, c *engine.Tensor) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	checkHalf("Gemm", choice, a, b, c)
	return
}
