package gemm

import (
	"path/filepath"
	"testing"
	"time"

	"simclr-vk/engine/vulkan/internal/rttest"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// openTest opens a runtime Device for this package's tests, with testdev's
// validation and skip policy, and the family on it.
func openTest(t *testing.T, rtCfg vkrt.Config, cfg Config) *Ops {
	t.Helper()
	rt := rttest.Open(t, rtCfg)
	if cfg.CoopMat == "" {
		cfg.CoopMat = rt.CoopMat()
	}
	o, err := New(rt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// openTuned opens the family with autotuning in mode ("auto" or
// "refresh") into the cache file path (never the user's cache).
func openTuned(t *testing.T, mode, path string) *Ops {
	t.Helper()
	return openTest(t, vkrt.Config{}, Config{Tuner: &tune.Service{Mode: mode, Path: path, Logger: t.Logf}})
}

// openTunedTimed is openTuned into a temporary cache with Config.Timed.
func openTunedTimed(t *testing.T, timed func(string, int, time.Duration) time.Duration) *Ops {
	t.Helper()
	tuner := &tune.Service{Mode: "auto", Path: filepath.Join(t.TempDir(), "tune.json"), Logger: t.Logf}
	return openTest(t, vkrt.Config{}, Config{Tuner: tuner, Timed: timed})
}
