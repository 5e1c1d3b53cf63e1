package augment

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// BenchmarkView224 is one augmented 224x224 RGB view of a 500x375 source
// with the paper's pipeline (each view draws its own crop, jitter, blur).
func BenchmarkView224(b *testing.B) {
	im := goldenImage(1, 3, 375, 500)
	cfg := DefaultConfig(224)
	out := make([]float32, 3*224*224)
	b.ReportAllocs()
	t0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		View(out, im, cfg, ViewRNG(1, 0, i, 0))
	}
	reportCPU(b, t0)
}

// cpuTime is the process's user + system CPU time: with the machine shared,
// CPU time per op varies less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU milliseconds per op since t0.
func reportCPU(b *testing.B, t0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-t0)/1e6/float64(b.N), "cpu-ms/op")
}

// benchStage times one stage of Apply at 224 on a fixed view's output.
func benchStage(b *testing.B, f func(x, tmp []float32)) {
	const s = 224
	rng := rand.New(rand.NewPCG(3, 3))
	x := make([]float32, 3*s*s)
	for i := range x {
		x[i] = rng.Float32()
	}
	y := make([]float32, len(x))
	tmp := make([]float32, s*s)
	t0 := cpuTime()
	for b.Loop() {
		copy(y, x)
		f(y, tmp)
	}
	reportCPU(b, t0)
}

// BenchmarkResample224 is the crop + bilinear resize of a 500x375 RGB
// source: a half-area crop (downscale) and a 0.08-area crop (upscale).
func BenchmarkResample224(b *testing.B) {
	im := goldenImage(1, 3, 375, 500)
	out := make([]float32, 3*224*224)
	for _, c := range []struct {
		name string
		crop Crop
	}{{"half", Crop{60, 40, 300, 300}}, {"small", Crop{100, 90, 120, 110}}} {
		b.Run(c.name, func(b *testing.B) {
			p := Params{Crop: c.crop, Flip: true}
			sc := getScratch()
			defer scratchPool.Put(sc)
			t0 := cpuTime()
			for b.Loop() {
				sc.resample(out, im, p, 224)
			}
			reportCPU(b, t0)
		})
	}
}

func BenchmarkBrightness224(b *testing.B) {
	benchStage(b, func(x, _ []float32) { Brightness(x, 1.3) })
}

func BenchmarkContrast224(b *testing.B) {
	benchStage(b, func(x, _ []float32) { Contrast(x, 3, 224*224, 0.7) })
}

func BenchmarkSaturation224(b *testing.B) {
	benchStage(b, func(x, _ []float32) { Saturation(x, 3, 224*224, 1.4) })
}

func BenchmarkHue224(b *testing.B) {
	benchStage(b, func(x, _ []float32) { Hue(x, 3, 224*224, 0.13) })
}

func BenchmarkGrayscale224(b *testing.B) {
	benchStage(b, func(x, _ []float32) { Grayscale(x, 3, 224*224) })
}

// BenchmarkBlur224 is the 23-tap blur of a 224x224 RGB view at several
// sigmas: below about 0.9 the kernel's tails are subnormal float32s.
func BenchmarkBlur224(b *testing.B) {
	for _, sg := range []float64{0.2, 0.5, 0.8, 1.2, 2} {
		b.Run(fmt.Sprint("sigma=", sg), func(b *testing.B) {
			benchStage(b, func(x, tmp []float32) { Blur(x, tmp, 3, 224, 224, 23, sg) })
		})
	}
}
