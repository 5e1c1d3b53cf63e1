package vulkan_test

import (
	"fmt"
	"testing"

	"simclr-vk/engine"
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

// BenchmarkGemmFloat16 times a linear layer's forward product y = x w^T
// (m = batch, n = out, k = in features, w transposed) on the default
// device in float32 (the class's kernel, and regblock forced) and with x
// and y float16 (w a float32 master: regblock's _f16ac variant, the only
// float16 GEMM kernel), reporting GFLOP/s; docs/mixed-precision.md has
// the figures.
func BenchmarkGemmFloat16(b *testing.B) {
	for _, s := range [][3]int{{128, 512, 512}, {512, 512, 512}} {
		m, n, k := s[0], s[1], s[2]
		for _, run := range []struct {
			name, kernel string
			half         bool
		}{{"fp32", "", false}, {"fp32_regblock", "regblock", false}, {"f16ac", "", true}} {
			half := run.half
			b.Run(fmt.Sprintf("m%d_n%d_k%d/%s", m, n, k, run.name), func(b *testing.B) {
				d := openBenchDevice(b, vulkan.Options{GemmVariant: run.kernel})
				act := d.New // activations x, y: float32 or float16
				if half {
					act = d.NewFloat16
				}
				x, w, y := act(m, k), d.New(n, k), act(m, n)
				for _, t := range []*engine.Tensor{x, w, y} {
					d.Fill(t, 0.25)
					defer t.Release()
				}
				timeGemm(b, d, func() { d.Gemm(false, true, m, n, k, 1, x, w, 0, y) }, 2*float64(m)*float64(n)*float64(k))
			})
		}
	}
}

// timeGemm runs one warm-up product (pipeline creation), then b.N timed
// from Flush to Flush, and reports GFLOP/s for flops a product.
func timeGemm(b *testing.B, d *vulkan.Device, gemm func(), flops float64) {
	gemm()
	if err := d.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		gemm()
	}
	if err := d.Flush(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(0, "ns/op")
}
