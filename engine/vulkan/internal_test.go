package vulkan

import (
	"os"
	"path/filepath"
	"testing"

	"simclr-vk/engine/vulkan/internal/testdev"
)

// openInternal opens the default device for the package's internal tests
// (vulkantest cannot be imported here) with testdev's policy: validation
// on where the layer is installed, a skip without Vulkan unless CI=true or
// SIMCLR_VK_REQUIRE=1, and a failure at cleanup for any validation
// message.
func openInternal(t *testing.T, opts Options) *Device {
	t.Helper()
	if opts.TuneCache == "" {
		opts.TuneCache = filepath.Join(t.TempDir(), "gemm-tune.json") // never the user's cache
	}
	return testdev.Open(t, ValidationAvailable(), func(validate bool) (*Device, error) {
		opts.Validate = opts.Validate || validate
		return Open(opts)
	})
}

// openBench opens the default device for the package's benchmarks, without
// validation (it slows recording down; SIMCLR_VK_VALIDATE=1 still turns it
// on), skipping without Vulkan unless CI=true or SIMCLR_VK_REQUIRE=1.
func openBench(b *testing.B, opts Options) *Device {
	b.Helper()
	d, err := Open(opts)
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("SIMCLR_VK_REQUIRE") == "1" {
			b.Fatalf("Vulkan required: %v", err)
		}
		b.Skipf("no Vulkan device: %v", err)
	}
	b.Cleanup(func() {
		if err := d.Close(); err != nil {
			b.Errorf("Close: %v", err)
		}
	})
	return d
}
