package layers_test

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/simclr/optim"
)

// memoryAcrossSteps runs training steps and checks that the device memory
// of step k+1 (InUse after it, Peak during it, live tensor count) is not
// larger than that of step k, and that releasing everything frees it all.
func memoryAcrossSteps(t *testing.T, b engine.Backend) {
	base := b.MemStats()
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	opt, err := optim.New(b, m.Params(), optim.DefaultConfig(optim.LARS))
	if err != nil {
		t.Fatal(err)
	}
	x := upload(b, randomViews(1, 4, 3, 8, 8, 0.3), 8, 3, 8, 8)
	var prev engine.MemStats
	for k := 0; k < 4; k++ {
		b.ResetPeak()
		if _, _, err := m.Step(x, 0.5); err != nil {
			t.Fatal(err)
		}
		opt.Step(0.1)
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		s := b.MemStats()
		t.Logf("step %d: in use %d B, peak %d B, %d tensors, pool %d B", k, s.InUse, s.Peak, s.Tensors, m.PoolBytes())
		if k > 0 && (s.InUse > prev.InUse || s.Peak > prev.Peak || s.Tensors > prev.Tensors) {
			t.Errorf("step %d uses more memory than step %d: %+v after %+v", k, k-1, s, prev)
		}
		prev = s
	}
	// Eval-mode features reuse the same pool.
	h := b.New(8, m.Encoder.FeatureDim())
	if err := m.Features(h, x); err != nil {
		t.Fatal(err)
	}
	h.Release()
	x.Release()
	opt.Release()
	m.Release()
	if s := b.MemStats(); s.Tensors != base.Tensors || s.InUse != base.InUse {
		t.Errorf("after Release: %d tensors, %d B in use; before the model: %d, %d", s.Tensors, s.InUse, base.Tensors, base.InUse)
	}
}

func TestMemoryDoesNotGrowCPU(t *testing.T) { memoryAcrossSteps(t, cpu.New(cpu.Options{})) }

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
