package train

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// deniedFloat16 is a CPU backend whose float16 storage is refused as
// engine/vulkan refuses it on a deny-listed device and driver.
type deniedFloat16 struct{ *cpu.Backend }

func (deniedFloat16) Float16Storage() error {
	return fmt.Errorf("engine/vulkan: %w: float16 storage refused on \"GPU\" (driver X): why; use --precision fp32", engine.ErrFeatureDenied)
}

// TestMixedRefused: --precision mixed fails on a refused device, naming
// the way out; fp32 runs there, and mixed elsewhere.
func TestMixedRefused(t *testing.T) {
	b := deniedFloat16{cpu.New(cpu.Options{Threads: 1})}
	err := mixedRefused(layers.PrecisionMixed, b)
	if !errors.Is(err, engine.ErrFeatureDenied) || !strings.Contains(err.Error(), "--precision mixed") || !strings.Contains(err.Error(), "--precision fp32") {
		t.Errorf("mixed on a refused device: %v", err)
	}
	if err := mixedRefused(layers.PrecisionFP32, b); err != nil {
		t.Errorf("fp32 on a refused device: %v", err)
	}
	if err := mixedRefused(layers.PrecisionMixed, cpu.New(cpu.Options{Threads: 1})); err != nil {
		t.Errorf("mixed on the CPU: %v", err)
	}
}

// TestApplyPrecisionRefused: the one place train, bench step and eval set
// --precision refuses mixed on a refused device (the model left as it
// was) and sets it elsewhere.
func TestApplyPrecisionRefused(t *testing.T) {
	cfg := layerstest.TinyConfig("resnet18", layers.StemCIFAR)
	denied := layerstest.NewModel(t, deniedFloat16{cpu.New(cpu.Options{Threads: 1})}, cfg)
	if _, _, err := ApplyPrecision(denied, PrecisionMixed); !errors.Is(err, engine.ErrFeatureDenied) {
		t.Errorf("mixed on a refused device: %v", err)
	}
	if denied.Precision() != layers.PrecisionFP32 {
		t.Errorf("refused model left at %v", denied.Precision())
	}
	m := layerstest.NewModel(t, cpu.New(cpu.Options{Threads: 1}), cfg)
	if p, note, err := ApplyPrecision(m, PrecisionMixed); err != nil || p != layers.PrecisionMixed || m.Precision() != p || note == "" {
		t.Errorf("mixed on the CPU: %v, note %q, err %v, model %v", p, note, err, m.Precision())
	}
}
