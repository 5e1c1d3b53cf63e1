package vulkan

import (
	"os"
	"path/filepath"
	"testing"
)

// openInternal opens the default device for the package's internal tests
// (vktest cannot be imported here): validation on where the layer is
// installed, a skip without Vulkan unless CI=true or SIMCLR_VK_REQUIRE=1,
// and a failure at cleanup for any validation message.
func openInternal(t *testing.T, opts Options) *Device {
	t.Helper()
	_, err := os.Stat("/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json")
	opts.Validate = opts.Validate || err == nil || os.Getenv("CI") == "true"
	if opts.TuneCache == "" {
		opts.TuneCache = filepath.Join(t.TempDir(), "gemm-tune.json") // never the user's cache
	}
	d, err := Open(opts)
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("SIMCLR_VK_REQUIRE") == "1" {
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

// TestFreeListCoalescing checks first-fit allocation and merging of
// neighbouring free ranges (no device needed).
func TestFreeListCoalescing(t *testing.T) {
	b := &block{size: 1000, free: []span{{0, 1000}}}
	take := func(n uint64) uint64 {
		off, ok := b.take(n)
		if !ok {
			t.Fatalf("take(%d) failed; free %v", n, b.free)
		}
		return off
	}
	a, c, e := take(100), take(200), take(300)
	if a != 0 || c != 100 || e != 300 {
		t.Fatalf("offsets %d %d %d, want 0 100 300", a, c, e)
	}
	b.give(c, 200) // hole in the middle
	if len(b.free) != 2 {
		t.Fatalf("free %v, want 2 ranges", b.free)
	}
	if off := take(150); off != 100 { // first fit reuses the hole
		t.Fatalf("reuse at %d, want 100", off)
	}
	b.give(100, 150)
	b.give(a, 100) // merges with [100,300)
	b.give(e, 300) // merges everything
	if len(b.free) != 1 || b.free[0] != (span{0, 1000}) {
		t.Fatalf("after releasing all: free %v, want [{0 1000}]", b.free)
	}
	if _, ok := b.take(1001); ok {
		t.Fatal("take beyond the block succeeded")
	}
}
