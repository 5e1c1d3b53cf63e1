package layers_test

import (
	"math/rand/v2"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/layers"
)

// tinyConfig is the network the gradient, Vulkan and memory tests share:
// ResNet width 1/16 (4, 8, 16, 32 channels) and a head with every option
// that changes the backward (hidden BN, biases, last BN without beta).
func tinyConfig(arch string, stem layers.Stem) layers.Config {
	return layers.Config{
		Encoder: layers.ResNetConfig{Arch: arch, Stem: stem, Width: 1.0 / 16, InChannels: 3},
		Head:    layers.HeadConfig{Layers: 3, Hidden: 24, Out: 16, LastBN: true},
		Seed:    7,
	}
}

func newModel(t testing.TB, b engine.Backend, cfg layers.Config) *layers.Model {
	t.Helper()
	m, err := layers.NewModel(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randomViews returns 2n views of n random images (c, h, w): view i+n is
// view i plus noise, so the positives are related.
func randomViews(seed uint64, n, c, h, w int, noise float64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 3))
	per := c * h * w
	x := make([]float32, 2*n*per)
	for i := 0; i < n*per; i++ {
		x[i] = float32(rng.NormFloat64())
	}
	for i := 0; i < n*per; i++ {
		x[n*per+i] = x[i] + float32(noise*rng.NormFloat64())
	}
	return x
}

func upload(b engine.Backend, x []float32, shape ...int) *engine.Tensor {
	t := b.New(shape...)
	b.Upload(t, x)
	return t
}

func download(t testing.TB, b engine.Backend, x *engine.Tensor) []float32 {
	t.Helper()
	v := make([]float32, x.Numel())
	if err := b.Download(x, v); err != nil {
		t.Fatal(err)
	}
	return v
}
