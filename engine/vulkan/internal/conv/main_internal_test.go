package conv

import (
	"path/filepath"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/testdev"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// owner is the engine.Backend of this package's test tensors: the
// runtime's memory methods, which the conformance helpers (Upload,
// Download) and Tensor.Release call, and Name; any other method panics
// (nil interface).
type owner struct {
	engine.Backend
	rt *vkrt.Device
}

func (o *owner) Name() string                                   { return "vulkan (internal/conv test)" }
func (o *owner) Release(t *engine.Tensor)                       { o.rt.Release(t) }
func (o *owner) New(shape ...int) *engine.Tensor                { return o.rt.New(shape...) }
func (o *owner) Upload(t *engine.Tensor, src []float32)         { o.rt.Upload(t, src) }
func (o *owner) Download(t *engine.Tensor, dst []float32) error { return o.rt.Download(t, dst) }

// openTest opens a runtime Device for this package's tests, with testdev's
// validation and skip policy, and the family on it with cfg (its GEMM and
// eltwise families made on the same runtime when cfg has none, the GEMM's
// with cfg.Tuner). Tests needing other options make more Ops on the same
// runtime (with), never change live ones.
func openTest(t *testing.T, rtCfg vkrt.Config, cfg Config) *Ops {
	t.Helper()
	own := &owner{}
	rtCfg.Owner = own
	rt := testdev.Open(t, vkrt.ValidationAvailable(), func(validate bool) (*vkrt.Device, error) {
		rtCfg.Validate = rtCfg.Validate || validate
		return vkrt.Open(rtCfg)
	})
	own.rt = rt
	if cfg.CoopMat == "" {
		cfg.CoopMat = rt.CoopMat()
	}
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

// backend is the engine.Backend the conformance helpers take.
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
