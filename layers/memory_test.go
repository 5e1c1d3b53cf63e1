package layers_test

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// TestMemoryDoesNotGrowCPU: step k+1 uses no more device memory than step k.
func TestMemoryDoesNotGrowCPU(t *testing.T) { layerstest.MemoryAcrossSteps(t, cpu.New(cpu.Options{})) }

// TestEvalModeReleasesActivations: Features returns each activation to the
// pool once its last consumer has run, so its peak memory is far below a
// training step's (which keeps what backward needs).
func TestEvalModeReleasesActivations(t *testing.T) {
	b := cpu.New(cpu.Options{})
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	x := upload(b, randomViews(1, 8, 3, 16, 16, 0.3), 16, 3, 16, 16)
	h := b.New(16, m.Encoder.FeatureDim())
	base := b.MemStats().InUse
	b.ResetPeak()
	if err := m.Features(h, x); err != nil {
		t.Fatal(err)
	}
	eval := b.MemStats().Peak - base
	m.Trim()
	b.ResetPeak()
	if _, _, err := m.Step(x, 0.5); err != nil {
		t.Fatal(err)
	}
	train := b.MemStats().Peak - base
	t.Logf("peak above the model: eval %d B, training step %d B", eval, train)
	if eval*3 > train {
		t.Errorf("eval-mode peak %d B is not well below the training step's %d B", eval, train)
	}
}

// TestPoolKeysDType: a pooled float16 tensor is never handed out for a
// float32 request of the same length (nor the reverse), and each comes
// back for its own dtype.
func TestPoolKeysDType(t *testing.T) {
	b := cpu.New(cpu.Options{})
	p := layers.NewPool(b)
	defer p.Trim()
	h := p.GetOf(engine.Float16, 2, 6)
	p.Put(h)
	if got := p.Held(); got != 24 {
		t.Errorf("Held %d bytes after one float16 (12), want 24", got)
	}
	f := p.Get(12)
	if f.DType() != engine.Float32 || f == h {
		t.Errorf("Get(12) after Put(float16 [2 6]) gave %v, want a new float32 tensor", f)
	}
	p.Put(f)
	if g := p.GetOf(engine.Float16, 3, 4); g.Base() != h || g.DType() != engine.Float16 || !engine.SameShape(g.Shape(), []int{3, 4}) {
		t.Errorf("GetOf(float16, 3, 4) = %v, want the pooled float16 tensor as [3 4]", g)
	}
	if g := p.Get(4, 3); g != f && g.Base() != f {
		t.Errorf("Get(4, 3) = %v, want the pooled float32 tensor", g)
	}
}
