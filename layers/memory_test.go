package layers_test

import (
	"testing"

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
