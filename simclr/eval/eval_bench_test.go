package eval

import (
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// BenchmarkExtract_resnet18_w0125_32px: eval-mode feature extraction of
// 256 RGB 32x32 images (batch 128) with ResNet-18 at width 1/8, CIFAR stem,
// on the CPU backend; reports images/s including the loader.
func BenchmarkExtract_resnet18_w0125_32px(b *testing.B) {
	be := cpu.New(cpu.Options{})
	m, err := layers.NewModel(be, layers.Config{Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 0.125}})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Release()
	ds := &synth{n: 256, c: 3, size: 32}
	b.ResetTimer()
	for range b.N {
		if _, _, err := Extract(m, ds, ExtractOptions{Size: 32, Batch: 128}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*ds.n)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkProbeStep_B256_D512_C10: one linear-probe SGD step (forward Gemm,
// cross-entropy, two backward Gemms, bias, Nesterov update) on a batch of
// 256 ResNet-18 features (D 512) for 10 classes; GFLOP/s counts the three
// Gemms (6 B D C).
func BenchmarkProbeStep_B256_D512_C10(b *testing.B) {
	const n, d, classes = 256, 512, 10
	be := cpu.New(cpu.Options{})
	p, err := newProbe(be, d, classes)
	if err != nil {
		b.Fatal(err)
	}
	defer p.release()
	h := be.New(n, d)
	defer h.Release()
	v := make([]float32, n*d)
	for i := range v {
		v[i] = float32(i%17) * 0.01
	}
	be.Upload(h, v)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % classes
	}
	b.ResetTimer()
	for range b.N {
		p.step(h, labels, 0.1, 1)
	}
	if _, err := p.ce.take(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(6*n*d*classes*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "images/s")
}
