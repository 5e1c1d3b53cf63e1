package conv

import (
	"path/filepath"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/rttest"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// openTest opens a runtime Device (rttest) and the family on it with cfg:
// the runtime's cooperative-matrix variant, and GEMM and eltwise families
// made on the same runtime when cfg has none (the GEMM's with cfg.Tuner).
// Tests needing other options make more Ops on the same runtime (with),
// never change live ones.
func openTest(t *testing.T, rtCfg vkrt.Config, cfg Config) *Ops {
	t.Helper()
	rt := rttest.Open(t, rtCfg)
	cfg.CoopMat = rt.CoopMat()
	if cfg.Gemm == nil {
		g, err := gemm.New(rt, gemm.Config{CoopMat: cfg.CoopMat, Tuner: cfg.Tuner})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Gemm = g
	}
	if cfg.Elt == nil {
		cfg.Elt = eltwise.New(rt)
	}
	return New(rt, cfg)
}

// with returns new Ops on o's runtime and families with the kernel forced
// to variant (Config.Variant).
func (o *Ops) with(variant string) *Ops {
	cfg := o.cfg
	cfg.Variant = variant
	return New(o.RT, cfg)
}

// backend is the engine.Backend the conformance helpers take (rttest's
// owner of the runtime's tensors).
func (o *Ops) backend() engine.Backend { return o.Owner }

// openTuned opens the family with autotuning in mode ("auto" or
// "refresh") into the cache file path (never the user's cache), logging
// through t, timing on CPU devices too (Config.TuneOnCPU).
func openTuned(t *testing.T, mode, path string, rtCfg vkrt.Config) *Ops {
	t.Helper()
	return openTest(t, rtCfg, Config{Tuner: &tune.Service{Mode: mode, Path: path, Logger: t.Logf}, TuneOnCPU: true})
}

// tempCache is a tuning cache file of the test's own.
func tempCache(t *testing.T) string { return filepath.Join(t.TempDir(), "tune.json") }
