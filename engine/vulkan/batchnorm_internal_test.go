package vulkan

import (
	"fmt"
	"testing"
	"time"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// TestBatchNormSplitPlan: on a GPU the ResNet-18 batch-norm layers of a
// 512-view batch get enough (chunk, channel) workgroups, chunks tile each
// channel exactly in whole vectors, and a CPU device keeps the fused
// kernels for many channels.
func TestBatchNormSplitPlan(t *testing.T) {
	limits := vk.PhysicalDeviceLimits{MaxComputeWorkGroupInvocations: 1024,
		MaxComputeWorkGroupCount: [3]uint32{1<<31 - 1, 65535, 65535}}
	gpu := &Device{info: DeviceInfo{Type: "discrete"}, limit: limits}
	cpuDev := &Device{info: DeviceInfo{Type: "cpu"}, limit: limits}
	for _, c := range []struct {
		d         *Device
		n, ch, hw int
		split     bool
	}{
		{gpu, 512, 64, 1024, true}, {gpu, 512, 128, 256, true}, {gpu, 512, 512, 16, true},
		{gpu, 512, 512, 1, false}, {gpu, 3, 13, 17, false}, {gpu, 1, 3, 785, false},
		{cpuDev, 512, 64, 1024, false}, {cpuDev, 512, 3, 1024, true}, {cpuDev, 3, 3, 1, false},
	} {
		p := engine.BatchNormParams{N: c.n, C: c.ch, HW: c.hw}
		b := c.d.bnSplitPlan(p)
		if (b.parts > 0) != c.split {
			t.Errorf("%s %+v: plan %+v, want split %v", c.d.info.Type, p, b, c.split)
			continue
		}
		if b.parts == 0 {
			continue
		}
		m := c.n * c.hw
		if b.chunk%b.vec != 0 || c.hw%b.vec != 0 || (b.parts-1)*b.chunk >= m || b.parts*b.chunk < m {
			t.Errorf("%+v: %d chunks of %d values (vec %d) do not tile %d values", p, b.parts, b.chunk, b.vec, m)
		}
		if c.d == gpu && b.parts*c.ch < vkrt.FillGroups(c.d.info) && b.chunk > 4*b.local*b.vec {
			t.Errorf("%+v: only %d workgroups of chunks of %d values", p, b.parts*c.ch, b.chunk)
		}
	}
}

// BenchmarkBatchNorm times the training forward and the backward (fused
// ReLU, affine) with the fused and the split plan on the ResNet-18 w64
// batch-norm shapes of -conv-batch images, reporting GB/s of the minimal
// traffic (forward: read x, write y; backward: read dy, x, y, write dx) so
// that both plans are measured against the same work. Run it on the device
// in question, e.g. go test -run X -bench BatchNorm -conv-batch 512.
func BenchmarkBatchNorm(b *testing.B) {
	d := openBench(b)
	n := *convBenchBatch
	for _, l := range []struct {
		name  string
		c, hw int
	}{{"w64_layer1_64ch_32x32", 64, 1024}, {"w64_layer2_128ch_16x16", 128, 256}, {"w64_layer3_256ch_8x8", 256, 64}, {"w64_layer4_512ch_4x4", 512, 16}} {
		p := engine.BatchNormParams{N: n, C: l.c, HW: l.hw, Eps: 1e-5, Momentum: 0.1, ReLU: true}
		size := n * l.c * l.hw
		x, y, dy, dx := d.New(size), d.New(size), d.New(size), d.New(size)
		gamma, beta, rm, rv, sm, si, dg, db := d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c), d.New(l.c)
		d.Fill(x, 0.5)
		d.Fill(dy, 0.25)
		d.Fill(gamma, 1)
		d.Fill(beta, 0)
		d.Fill(rv, 1)
		d.bnSplit = 0 // one Device for every plan: its Options.BatchNormSplit, set per plan
		split := struct {
			name  string
			force int
		}{"split", 0}
		if d.bnSplitPlan(p).parts == 0 { // the default is fused here: time 4 chunks
			split.name, split.force = "split4", 4
		}
		for _, plan := range []struct {
			name  string
			force int
		}{{"fused", -1}, split} {
			d.bnSplit = plan.force
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
