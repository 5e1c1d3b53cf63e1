package vulkan

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"simclr-vk/engine"
)

var convBenchBatch = flag.Int("conv-batch", 4, "BenchmarkBatchNorm: images per batch-norm shape")

// BenchmarkBatchNorm times the training forward and the backward (fused
// ReLU, affine) with the fused and the split plan on the ResNet-18 w64
// batch-norm shapes of -conv-batch images, reporting GB/s of the minimal
// traffic (forward: read x, write y; backward: read dy, x, y, write dx) so
// that both plans are measured against the same work. Run it on the device
// in question, e.g. go test -run X -bench BatchNorm -conv-batch 512.
func BenchmarkBatchNorm(b *testing.B) {
	n := *convBenchBatch
	devs := map[int]*Device{} // by Options.BatchNormSplit: -1 fused, 0 the plan's choice, 4 chunks
	dev := func(split int) *Device {
		if devs[split] == nil {
			devs[split] = openBench(b, Options{BatchNormSplit: split})
		}
		return devs[split]
	}
	for _, l := range []struct {
		name  string
		c, hw int
	}{{"w64_layer1_64ch_32x32", 64, 1024}, {"w64_layer2_128ch_16x16", 128, 256}, {"w64_layer3_256ch_8x8", 256, 64}, {"w64_layer4_512ch_4x4", 512, 16}} {
		p := engine.BatchNormParams{N: n, C: l.c, HW: l.hw, Eps: 1e-5, Momentum: 0.1, ReLU: true}
		size := n * l.c * l.hw
		split := struct {
			name  string
			force int
		}{"split", 0}
		if dev(0).bn.SplitParts(p) == 0 { // the default is fused here: time 4 chunks
			split.name, split.force = "split4", 4
		}
		for _, plan := range []struct {
			name  string
			force int
		}{{"fused", -1}, split} {
			d := dev(plan.force)
			x, y, dy, dx := d.New(size), d.New(size), d.New(size), d.New(size)
			gamma, beta, rm, rv, sm, si, dg, db := d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c)
			d.Fill(x, 0.5)
			d.Fill(dy, 0.25)
			d.Fill(gamma, 1)
			d.Fill(beta, 0)
			d.Fill(rv, 1)
			for _, pass := range []string{"forward_train", "backward"} {
				b.Run(fmt.Sprintf("%s/%s/%s", l.name, pass, plan.name), func(b *testing.B) {
					run := func() {
						if pass == "forward_train" {
							d.BatchNormForwardTrain(y, x, gamma, beta, rm, rv, sm, si, p)
						} else {
							d.BatchNormBackward(dx, dg, db, dy, x, y, gamma, sm, si, p)
						}
					}
					run()
					if err := d.Flush(); err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					start := time.Now()
					for i := 0; i < b.N; i++ {
						run()
					}
					if err := d.Flush(); err != nil {
						b.Fatal(err)
					}
					bytes := 2.0
					if pass == "backward" {
						bytes = 4
					}
					b.ReportMetric(bytes*4*float64(size)*float64(b.N)/time.Since(start).Seconds()/1e9, "GB/s")
				})
			}
		}
	}
}
