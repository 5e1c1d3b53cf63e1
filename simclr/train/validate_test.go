package train

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/internal/bound"
)

// TestMemoryEstimate: a batch or side that cannot fit is refused with the
// estimate and the flags; the defaults fit in a gigabyte.
func TestMemoryEstimate(t *testing.T) {
	c := Defaults()
	if err := c.checkMemory(1, 28, 1<<30); err != nil {
		t.Errorf("defaults: %v", err)
	}
	c.BatchSize = 1 << 20
	err := c.checkMemory(1, 28, 1<<30)
	if err == nil || !strings.Contains(err.Error(), "--batch-size, --image-size, --width: ") || !strings.Contains(err.Error(), "needs at least") {
		t.Errorf("batch 2^20: %v", err)
	}
	// In chunks, the activations held are a chunk's.
	c.MicroBatch = "64"
	if err := c.checkMemory(1, 28, 1<<30); err != nil {
		t.Errorf("batch 2^20 in chunks of 64: %v", err)
	}
	c.MicroBatch = "100000"
	if err := c.checkMemory(1, 28, 1<<30); err == nil || !strings.Contains(err.Error(), "--micro-batch, --image-size, --width: ") {
		t.Errorf("batch 2^20 in chunks of 100000: %v", err)
	}
	c = Defaults()
	c.Width, c.Arch = 64, "resnet50"
	if err := c.checkMemory(3, 0, 1<<30); err == nil || !strings.Contains(err.Error(), "--width") {
		t.Errorf("width 64 resnet50: %v", err)
	}
}

// TestRunRefusesBeforeWriting: a non-finite value stops Run before it
// creates --out (it used to panic writing config.json and leave a
// temporary file behind).
func TestRunRefusesBeforeWriting(t *testing.T) {
	b := cpu.New(cpu.Options{Threads: 1})
	defer b.Close()
	for _, set := range []func(*Config){
		func(c *Config) { c.LR = math.Inf(1) },
		func(c *Config) { c.Temperature = math.Inf(1) },
		func(c *Config) { c.WeightDecay = math.NaN() },
		func(c *Config) { c.Momentum = math.NaN() },
	} {
		c := Defaults()
		c.Out = filepath.Join(t.TempDir(), "run")
		set(&c)
		if _, err := Run(context.Background(), b, c, Options{Log: &bytes.Buffer{}}); err == nil {
			t.Errorf("%+v: no error", c)
		}
		if _, err := os.Stat(c.Out); !os.IsNotExist(err) {
			t.Errorf("--out was created: %v", err)
		}
	}
}

// TestRunMemoryLimit: once the data fixed the side, a model and batch
// above Options.MemoryLimit (a GPU's heap) are refused before --out is
// created; the same run fits in a gigabyte.
func TestRunMemoryLimit(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 8))
	cfg.MaxSteps = 1
	_, _, err := runToy(t, context.Background(), cfg, Options{MemoryLimit: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "--batch-size, --image-size, --width: ") || !strings.Contains(err.Error(), "16x16") {
		t.Errorf("1 MiB: %v", err)
	}
	if _, err := os.Stat(cfg.Out); !os.IsNotExist(err) {
		t.Errorf("--out was created: %v", err)
	}
	if _, _, err := runToy(t, context.Background(), cfg, Options{MemoryLimit: 1 << 30}); err != nil {
		t.Errorf("1 GiB: %v", err)
	}
}

// TestRunHostViews: with --micro-batch the model's share is one chunk, but
// the loader still holds the views of the whole batch on the host: a batch
// far beyond the physical memory (--drop-last=false keeps it on 32 images)
// is refused before --out is created, not left to crash the allocation.
func TestRunHostViews(t *testing.T) {
	if bound.PhysicalMemory() == 0 {
		t.Skip("physical memory unknown")
	}
	cfg := toyConfig(t, writeToyData(t, 32, 8))
	cfg.MaxSteps, cfg.DropLast, cfg.BatchSize, cfg.MicroBatch = 1, false, MaxCount, "1"
	_, _, err := runToy(t, context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "--batch-size, --image-size: ") || !strings.Contains(err.Error(), "on the host") {
		t.Errorf("batch of %d: %v", cfg.BatchSize, err)
	}
	if _, err := os.Stat(cfg.Out); !os.IsNotExist(err) {
		t.Errorf("--out was created: %v", err)
	}
}

// TestAugConfigExtras: --solarize-prob and --noise-std reach the
// augmentation pipeline (off by default).
func TestAugConfigExtras(t *testing.T) {
	c := Defaults()
	a, err := c.augConfig(32)
	if err != nil || a.SolarizeP != 0 || a.NoiseStd != 0 {
		t.Fatalf("defaults: SolarizeP %g NoiseStd %g err %v", a.SolarizeP, a.NoiseStd, err)
	}
	c.SolarizeProb, c.NoiseStd = 0.2, 0.05
	if a, err = c.augConfig(32); err != nil || a.SolarizeP != 0.2 || a.NoiseStd != 0.05 {
		t.Errorf("set: SolarizeP %g NoiseStd %g err %v", a.SolarizeP, a.NoiseStd, err)
	}
}
