package vulkan_test

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/internal/testdev"
)

// BenchmarkGemm times C = A*B on the default device (lavapipe without a
// GPU; set LP_NUM_THREADS to choose its threads) and reports GFLOP/s, in
// float32 and (sub-benchmarks .../coopmat, where the device has them) on
// cooperative matrices with float16 inputs. Each iteration records one
// GEMM; the timer spans Flush to Flush.
func BenchmarkGemm(b *testing.B) {
	for _, s := range []struct {
		name    string
		m, n, k int
	}{
		{"square256", 256, 256, 256},
		{"square512", 512, 512, 512},
		{"square1024", 1024, 1024, 1024},
		// A ResNet-18 1x1 projection (stage 3, w64, batch 32 of 32x32
		// images) as GEMM: K=256 output channels x N*P*Q=2048 positions,
		// C=128 input channels.
		{"resnet1x1_m256_n2048_k128", 256, 2048, 128},
	} {
		for _, cm := range []string{"off", "on"} {
			name := s.name + "/fp32"
			if cm == "on" {
				name = s.name + "/coopmat"
			}
			b.Run(name, func(b *testing.B) {
				benchGemm(b, openBenchDevice(b, vulkan.Options{CoopMat: cm}), s.m, s.n, s.k)
			})
		}
	}
}

// benchGemm times m x n x k products on d.
func benchGemm(b *testing.B, d *vulkan.Device, m, n, k int) {
	a, bb, c := d.New(m, k), d.New(k, n), d.New(m, n)
	defer a.Release()
	defer bb.Release()
	defer c.Release()
	d.Fill(a, 0.5)
	d.Fill(bb, 0.25)
	timeGemm(b, d, func() { d.Gemm(false, false, m, n, k, 1, a, bb, 0, c) }, 2*float64(m)*float64(n)*float64(k))
	b.Logf("%s, kernel %s", d.Describe(), d.Plans().GemmFor(1, m, n, k).Kernel)
}

// BenchmarkNTXent: the fused op against the unfused Gemm composition on
// named shapes (2N x d), GFLOP/s of 6 * (2N)^2 * d per call.
func BenchmarkNTXent(b *testing.B) {
	d := openBenchDevice(b, vulkan.Options{})
	for _, s := range [][2]int{{1024, 128}, {4096, 128}} {
		rows, dim := s[0], s[1]
		z := conformance.NTXentInput(rand.New(rand.NewSource(1)), rows, dim, 1.5)
		zt := conformance.Upload(d, z, rows, dim)
		dz, res := d.New(rows, dim), d.New(2)
		for _, impl := range []string{"fused", "unfused"} {
			b.Run(fmt.Sprintf("%s/2N%d_d%d", impl, rows, dim), func(b *testing.B) {
				run := d.NTXentForwardBackward
				if impl == "unfused" {
					run = d.Lab().NTXentUnfused
				}
				run(dz, res, zt, 0.5) // pipelines
				if err := d.Flush(); err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					run(dz, res, zt, 0.5)
					if err := d.Flush(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(cpu.NTXentFLOPs(rows, dim, true)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		for _, x := range []*engine.Tensor{zt, dz, res} {
			x.Release()
		}
	}
}

// openBenchDevice opens the default device with opts and testdev's
// policy, without validation (it slows recording down) unless
// SIMCLR_VK_VALIDATE=1 or CI=true asks for it, as rttest.OpenBench; it
// skips where CoopMat "on" finds no cooperative matrices.
func openBenchDevice(b *testing.B, opts vulkan.Options) *vulkan.Device {
	b.Helper()
	return testdev.Open(b, false, func(validate bool) (*vulkan.Device, error) {
		opts.Validate = opts.Validate || validate
		d, err := vulkan.Open(opts)
		if errors.Is(err, vulkan.ErrCoopMatUnsupported) {
			b.Skipf("no cooperative matrices here: %v", err)
		}
		return d, err
	})
}
