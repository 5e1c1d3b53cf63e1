package cpu_test

import (
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
)

// TestConformance runs the shared suite on the default CPU backend
// (OpenBLAS and oneDNN where installed), on the pure-Go GEMM path with 3
// threads and the builtin convolutions, and the convolutions alone on
// the builtin path with OpenBLAS and on oneDNN where it loads (float32
// and float16 activations)
// (TestOneDNNLoads fails in CI where it does not).
func TestConformance(t *testing.T) {
	b := cpu.New(cpu.Options{})
	t.Log(b.Describe())
	conformance.Run(t, b)
}

func TestConformanceNoBLAS(t *testing.T) {
	conformance.Run(t, cpu.New(cpu.Options{NoBLAS: true, Threads: 3, Conv: cpu.ConvBuiltin}))
}

func TestConformanceConv(t *testing.T) {
	t.Run("builtin", func(t *testing.T) {
		conformance.RunFamilies(t, cpu.New(cpu.Options{Conv: cpu.ConvBuiltin}), "Conv", "Float16Conv")
	})
	t.Run("onednn", func(t *testing.T) {
		b, err := cpu.Open(cpu.Options{Conv: cpu.ConvOneDNN, Threads: 2})
		if err != nil {
			t.Skip(err)
		}
		conformance.RunFamilies(t, b, "Conv", "Float16Conv")
	})
}
