package cpu

import (
	"syscall"
	"testing"
)

// processCPUSeconds is the user + system CPU time of this process.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportFlops reports GFLOP/s of b.N runs of flops each, and GFLOP per
// CPU-second of this process since cpu0: on a shared machine the second,
// times the thread count, estimates the uncontended rate.
func reportFlops(b *testing.B, flops, cpu0 float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if c := processCPUSeconds() - cpu0; c > 0 {
		b.ReportMetric(flops*float64(b.N)/c/1e9, "GFLOP/cpu-s")
	}
}
