package layers_test

import (
	"fmt"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
)

// BenchmarkStepCPU: one SimCLR training step (2B views, forward, NT-Xent,
// backward, LARS) of ResNet-18 with the CIFAR stem on the CPU backend;
// images/s counts B images (2 views each) per step.
func BenchmarkStepCPU(b *testing.B) {
	for _, c := range []struct {
		width      float64
		hw, ch, bs int
	}{
		{0.25, 28, 1, 64},
		{0.25, 32, 3, 64},
	} {
		b.Run(fmt.Sprintf("resnet18-cifar-w%g-%dx%dx%d-B%d", c.width, c.hw, c.hw, c.ch, c.bs), func(b *testing.B) {
			be := cpu.New(cpu.Options{})
			m := newModel(b, be, layers.Config{
				Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: c.width, InChannels: c.ch},
				Seed:    1,
			})
			defer m.Release()
			opt, err := optim.New(be, m.Params(), optim.DefaultConfig(optim.LARS))
			if err != nil {
				b.Fatal(err)
			}
			defer opt.Release()
			x := upload(be, randomViews(1, c.bs, c.ch, c.hw, c.hw, 0.1), 2*c.bs, c.ch, c.hw, c.hw)
			defer x.Release()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := m.Step(x, 0.5); err != nil {
					b.Fatal(err)
				}
				opt.Step(0.3)
			}
			b.ReportMetric(float64(c.bs*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
