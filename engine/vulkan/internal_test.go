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
func openBench(b *testing.B) *Device {
	b.Helper()
	d, err := Open(Options{})
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

// TestFixedChunks: the partial-reduction chunks of SumSquares and LARS tile
// n exactly, none empty, within the part limit, and (below it) above half
// the target chunk.
func TestFixedChunks(t *testing.T) {
	for _, n := range []int{1, 3, 4095, 4096, 4097, 13 * 4096, 1 << 20, 10_000_019} {
		for _, lim := range [][2]int{{4096, 256}, {4096, 1024}, {1, 3}} {
			parts, chunk := fixedChunks(n, lim[0], lim[1])
			if parts < 1 || parts > lim[1] || (parts-1)*chunk >= n || parts*chunk < n {
				t.Errorf("n %d, limits %v: %d chunks of %d do not tile n", n, lim, parts, chunk)
			}
			if parts > 1 && parts < lim[1] && 2*chunk <= lim[0] {
				t.Errorf("n %d, limits %v: chunks of %d, not above half the target", n, lim, chunk)
			}
		}
	}
}
