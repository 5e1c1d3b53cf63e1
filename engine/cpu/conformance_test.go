package cpu_test

import (
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
)

// TestConformance runs the shared suite on the default CPU backend
// (OpenBLAS when installed) and on the pure-Go GEMM path with 3 threads.
func TestConformance(t *testing.T) {
	b := cpu.New(cpu.Options{})
	t.Log(b.Describe())
	conformance.Run(t, b)
}

func TestConformanceNoBLAS(t *testing.T) {
	conformance.Run(t, cpu.New(cpu.Options{NoBLAS: true, Threads: 3}))
}
