package layers_test

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/simclr/optim"
)

// trainSmoke trains the tiny network for a few dozen steps on a synthetic
// dataset (16 random images; each step draws a batch of 8 and two noisy
// views of each) and requires the NT-Xent loss to fall clearly.
func trainSmoke(t *testing.T, b engine.Backend) {
	m := newModel(t, b, layers.Config{
		Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1.0 / 16, InChannels: 3},
		Head:    layers.HeadConfig{Out: 32},
		Seed:    3,
	})
	defer m.Release()
	cfg := optim.DefaultConfig(optim.SGD)
	cfg.WeightDecay = 1e-4
	opt, err := optim.New(b, m.Params(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer opt.Release()
	const n, c, hw, images, steps = 8, 3, 8, 16, 40
	data := randomViews(21, images, c, hw, hw, 0)[:images*c*hw*hw]
	noise := randomViews(22, steps*n, c, hw, hw, 0)
	x := b.New(2*n, c, hw, hw)
	defer x.Release()
	per := c * hw * hw
	buf := make([]float32, 2*n*per)
	var losses []float32
	for s := 0; s < steps; s++ {
		for i := 0; i < n; i++ {
			img := data[((s*n+i)%images)*per:][:per]
			for v := 0; v < 2; v++ {
				dst := buf[(v*n+i)*per:][:per]
				nz := noise[((2*s+v)*n+i)%(steps*n)*per:][:per]
				for j := range dst {
					dst[j] = img[j] + 0.3*nz[j]
				}
			}
		}
		b.Upload(x, buf)
		loss, top1, err := m.Step(x, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		opt.Step(0.05)
		losses = append(losses, loss)
		if s%10 == 0 || s == steps-1 {
			t.Logf("step %d: loss %.4f top1 %.2f", s, loss, top1)
		}
	}
	first := mean(losses[:5])
	last := mean(losses[len(losses)-5:])
	if !(last < first-0.2) {
		t.Errorf("loss did not fall clearly: first 5 steps %.4f, last 5 %.4f", first, last)
	}
}

func mean(v []float32) float32 {
	s := float32(0)
	for _, x := range v {
		s += x
	}
	return s / float32(len(v))
}

func TestTrainSmokeCPU(t *testing.T) { trainSmoke(t, cpu.New(cpu.Options{})) }
