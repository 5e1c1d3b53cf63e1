package layers

import (
	"testing"

	"simclr-vk/engine/cpu"
)

// TestEstimateParams: the estimate from the configuration alone is the
// built model's parameter count for every architecture, stem and head.
func TestEstimateParams(t *testing.T) {
	b := cpu.New(cpu.Options{Threads: 1})
	defer b.Close()
	for _, c := range []Config{
		{Encoder: ResNetConfig{Arch: "resnet18", Stem: StemCIFAR, Width: 0.125, InChannels: 1}, Head: HeadConfig{Out: 16}},
		{Encoder: ResNetConfig{Arch: "resnet34", Stem: StemImageNet, Width: 0.0625, InChannels: 3}, Head: HeadConfig{Hidden: 24, Out: 8}},
		{Encoder: ResNetConfig{Arch: "resnet50", Stem: StemCIFAR, Width: 0.0625, InChannels: 3}, Head: HeadConfig{Layers: 3, Out: 8}},
		{Encoder: ResNetConfig{Arch: "resnet18", Width: 0.1}},
	} {
		m, err := NewModel(b, c)
		if err != nil {
			t.Fatal(err)
		}
		got, want := EstimateParams(c.Encoder, c.Head), float64(CountParams(m))
		m.Release()
		if got != want {
			t.Errorf("%+v: estimate %g parameters, the model has %g", c, got, want)
		}
	}
	if EstimateParams(ResNetConfig{Arch: "resnet7"}, HeadConfig{}) != 0 {
		t.Error("an unknown architecture has an estimate")
	}
}

// TestEstimateViewFloats: the activation estimate grows with the side
// squared and the width, and stays finite for absurd values.
func TestEstimateViewFloats(t *testing.T) {
	c := ResNetConfig{Arch: "resnet18", Stem: StemCIFAR, Width: 1, InChannels: 3}
	a, b := EstimateViewFloats(c, 32), EstimateViewFloats(c, 64)
	if !(a > 64*32*32 && b > 3.9*a && b < 4.1*a) {
		t.Errorf("32 px: %g floats, 64 px: %g", a, b)
	}
	c.Width = 1e12
	if v := EstimateViewFloats(c, 1<<20); !(v > 1e20) {
		t.Errorf("absurd width and side: %g", v)
	}
}

// TestEstimateInferFloats: the eval-mode estimate is a lower bound of the
// memory Features really takes (its input and the activations it
// allocates), not far below it, and far below the training estimate that
// keeps every activation.
func TestEstimateInferFloats(t *testing.T) {
	b := cpu.New(cpu.Options{Threads: 1})
	defer b.Close()
	for _, tc := range []struct {
		c    ResNetConfig
		side int
	}{
		{ResNetConfig{Arch: "resnet18", Stem: StemCIFAR, Width: 0.125, InChannels: 3}, 16},
		{ResNetConfig{Arch: "resnet50", Stem: StemImageNet, Width: 0.0625, InChannels: 3}, 64},
		{ResNetConfig{Arch: "resnet34", Stem: StemImageNet, Width: 0.0625, InChannels: 1}, 40},
	} {
		const n = 4
		m, err := NewModel(b, Config{Encoder: tc.c, Head: HeadConfig{Out: 8}})
		if err != nil {
			t.Fatal(err)
		}
		h := b.New(n, m.Encoder.FeatureDim())
		base := b.MemStats().InUse
		b.ResetPeak()
		x := b.New(n, tc.c.InChannels, tc.side, tc.side)
		if err := m.Features(h, x); err != nil {
			t.Fatal(err)
		}
		used := float64(b.MemStats().Peak - base)
		x.Release()
		h.Release()
		m.Release()
		est := 4 * n * EstimateInferFloats(tc.c, tc.side)
		train := 4 * n * EstimateViewFloats(tc.c, tc.side)
		t.Logf("%s %d px: eval-mode estimate %g B, used %g B; training estimate %g B", tc.c.Arch, tc.side, est, used, train)
		if !(est <= used && est >= used/5) {
			t.Errorf("%s %d px: eval-mode estimate %g B, want a lower bound within 5x of the %g B used", tc.c.Arch, tc.side, est, used)
		}
		if !(train > 2*used) {
			t.Errorf("%s %d px: training estimate %g B not above the eval-mode use %g B", tc.c.Arch, tc.side, train, used)
		}
	}
}
