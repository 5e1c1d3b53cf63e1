// Package rttest opens bare runtime Devices (internal/vkrt) for the tests
// of the op-family packages, with testdev's validation, skip and cleanup
// policy and an owner for their tensors. (testdev itself cannot import
// vkrt, whose own tests use it.)
package rttest

import (
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/testdev"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// owner is the engine.Backend of the test tensors: the runtime's memory
// methods, which Tensor.Release and the conformance helpers (Upload,
// Download) call, and Name; any other method panics (nil interface).
type owner struct {
	engine.Backend
	rt *vkrt.Device
}

func (o *owner) Name() string                                   { return "vulkan runtime (family test)" }
func (o *owner) Release(t *engine.Tensor)                       { o.rt.Release(t) }
func (o *owner) New(shape ...int) *engine.Tensor                { return o.rt.New(shape...) }
func (o *owner) Upload(t *engine.Tensor, src []float32)         { o.rt.Upload(t, src) }
func (o *owner) Download(t *engine.Tensor, dst []float32) error { return o.rt.Download(t, dst) }

// Open opens a runtime Device with cfg (its Owner set here, Validate
// turned on where testdev says) for t, closed and checked for validation
// messages at cleanup. rt.Owner() is a Backend the conformance helpers
// take.
func Open(t testing.TB, cfg vkrt.Config) *vkrt.Device {
	t.Helper()
	return open(t, vkrt.ValidationAvailable(), cfg)
}

// OpenBench is Open for benchmarks: without validation, which slows
// recording down, unless SIMCLR_VK_VALIDATE=1 or CI=true asks for it.
func OpenBench(b *testing.B, cfg vkrt.Config) *vkrt.Device {
	b.Helper()
	return open(b, false, cfg)
}

func open(t testing.TB, layer bool, cfg vkrt.Config) *vkrt.Device {
	t.Helper()
	own := &owner{}
	cfg.Owner = own
	rt := testdev.Open(t, layer, func(validate bool) (*vkrt.Device, error) {
		cfg.Validate = cfg.Validate || validate
		return vkrt.Open(cfg)
	})
	own.rt = rt
	return rt
}
