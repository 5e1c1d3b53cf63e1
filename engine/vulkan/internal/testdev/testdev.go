// Package testdev opens devices for the tests of engine/vulkan and its
// internal packages (whose internal tests cannot import vulkantest): one
// policy for validation, skipping and cleanup.
package testdev

import (
	"os"
	"testing"

	"simclr-vk/engine"
)

// Device is what Open needs of a device.
type Device interface {
	Close() error
	ValidationMessages() []string
}

// Required reports whether a test must fail, not skip, without Vulkan
// (CI=true or SIMCLR_VK_REQUIRE=1).
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("SIMCLR_VK_REQUIRE") == "1"
}

// Open returns open(validate), validate being true where the validation
// layer is installed (layer) or Vulkan is required: a skip without a
// device unless Required, and at cleanup Close and a failure for any
// validation message.
func Open[D Device](t testing.TB, layer bool, open func(validate bool) (D, error)) D {
	t.Helper()
	d, err := open(layer || os.Getenv("CI") == "true")
	if err != nil {
		if Required() {
			t.Fatalf("Vulkan required: %v", err)
		}
		t.Skipf("no Vulkan device: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if msgs := d.ValidationMessages(); len(msgs) > 0 {
			t.Errorf("validation messages: %v", msgs)
		}
	})
	return d
}

// Mem is what CorruptOne needs of a runtime Device (vkrt.Device has it;
// testdev cannot import vkrt, whose tests use testdev).
type Mem interface {
	New(shape ...int) *engine.Tensor
	Fill(t *engine.Tensor, v float32)
}

// CorruptOne returns a corrupt hook for the tuning service
// (tune.Service.Corrupt) that adds 1 with add to every output of the
// kernel named bad (a wrong result, the kind of error a miscompiled tile
// makes), and counts the calls.
func CorruptOne(rt Mem, add func(dst, a, b *engine.Tensor), bad string, calls *int) func(string, *engine.Tensor) {
	return func(kernel string, out *engine.Tensor) {
		if *calls++; kernel != bad {
			return
		}
		one := rt.New(out.Numel())
		rt.Fill(one, 1)
		add(out, out, one)
		one.Release()
	}
}
