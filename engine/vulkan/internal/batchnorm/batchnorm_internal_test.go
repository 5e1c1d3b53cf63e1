package batchnorm

import (
	"testing"

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
	gpu := &Ops{Family: vkrt.Family{Info: vkrt.DeviceInfo{Type: "discrete"}, Limit: limits}}
	cpuDev := &Ops{Family: vkrt.Family{Info: vkrt.DeviceInfo{Type: "cpu"}, Limit: limits}}
	for _, c := range []struct {
		d         *Ops
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
			t.Errorf("%s %+v: plan %+v, want split %v", c.d.Info.Type, p, b, c.split)
			continue
		}
		if b.parts == 0 {
			continue
		}
		m := c.n * c.hw
		if b.chunk%b.vec != 0 || c.hw%b.vec != 0 || (b.parts-1)*b.chunk >= m || b.parts*b.chunk < m {
			t.Errorf("%+v: %d chunks of %d values (vec %d) do not tile %d values", p, b.parts, b.chunk, b.vec, m)
		}
		if c.d == gpu && b.parts*c.ch < vkrt.FillGroups(c.d.Info) && b.chunk > 4*b.local*b.vec {
			t.Errorf("%+v: only %d workgroups of chunks of %d values", p, b.parts*c.ch, b.chunk)
		}
	}
}
