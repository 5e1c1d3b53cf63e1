package vulkan

import (
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
	return openTestdev(t, ValidationAvailable(), opts)
}

// openBench opens the default device for the package's benchmarks with
// testdev's policy too, but without validation (it slows recording down)
// unless SIMCLR_VK_VALIDATE=1 or CI=true asks for it, as rttest.OpenBench.
func openBench(b *testing.B, opts Options) *Device {
	b.Helper()
	return openTestdev(b, false, opts)
}

func openTestdev(t testing.TB, layer bool, opts Options) *Device {
	t.Helper()
	return testdev.Open(t, layer, func(validate bool) (*Device, error) {
		opts.Validate = opts.Validate || validate
		return Open(opts)
	})
}
