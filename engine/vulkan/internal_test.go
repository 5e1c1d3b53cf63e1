package vulkan

import (
	"os"
	"path/filepath"
	"testing"
)

// openInternal opens the default device for the package's internal tests
// (vulkantest cannot be imported here): validation on where the layer is
// installed, a skip without Vulkan unless CI=true or SIMCLR_VK_REQUIRE=1,
// and a failure at cleanup for any validation message.
func openInternal(t *testing.T, opts Options) *Device {
	t.Helper()
	opts.Validate = opts.Validate || ValidationAvailable() || os.Getenv("CI") == "true"
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

// TestPipelineCacheHit: a cached pipeline is found by (shader, spec,
// bindings), distinct specializations and binding counts get distinct
// keys, and a hit (every dispatch) allocates nothing.
func TestPipelineCacheHit(t *testing.T) {
	want := &pipeline{name: "fill"}
	pc := &pipelineCache{pipes: map[string]*pipeline{"fill/1,7,12": want}}
	spec := []uint32{7, 12}
	if p, err := pc.get("fill", spec, 1); err != nil || p != want {
		t.Fatalf("get fill [7 12] 1: %v %v, want the cached pipeline", p, err)
	}
	if k1, k2 := string(appendPipeKey(nil, "fill", []uint32{71, 2}, 1)), string(appendPipeKey(nil, "fill", []uint32{7, 12}, 1)); k1 == k2 {
		t.Errorf("specializations [71 2] and [7 12] share the key %q", k1)
	}
	if k1, k2 := string(appendPipeKey(nil, "fill", spec, 1)), string(appendPipeKey(nil, "fill", spec, 2)); k1 == k2 {
		t.Errorf("1 and 2 bindings share the key %q", k1)
	}
	if n := testing.AllocsPerRun(100, func() { pc.get("fill", spec, 1) }); n != 0 {
		t.Errorf("cache hit: %v allocations, want 0", n)
	}
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
