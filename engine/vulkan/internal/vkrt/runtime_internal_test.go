package vkrt

import (
	"testing"
	"unsafe"
)

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

// TestCoopMatStructSizes: the cgo mirrors of the Vulkan structs have the
// sizes of the C definitions in the Vulkan headers (1.3.255+) on 64-bit
// platforms.
func TestCoopMatStructSizes(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"VkCooperativeMatrixPropertiesKHR", coopMatPropsSize(), 16 + 9*4 + 4},
		{"VkPhysicalDeviceCooperativeMatrixFeaturesKHR", coopMatFeaturesSize(), 16 + 2*4},
		{"VkPhysicalDeviceShaderFloat16Int8Features", coopMatFloat16Size(), 16 + 2*4},
		{"VkPhysicalDeviceVulkanMemoryModelFeatures", coopMatMemoryModelSize(), 16 + 3*4 + 4},
		{"VkPhysicalDeviceFeatures2", coopMatFeatures2Size(), 16 + 55*4 + 4},
	} {
		if unsafe.Sizeof(uintptr(0)) == 8 && c.got != c.want {
			t.Errorf("%s mirror: %d bytes, want %d", c.name, c.got, c.want)
		}
	}
}

// TestFillGroups: four workgroups per compute unit where the driver
// reports the count (NVIDIA SMs, AMD compute units), else the assumed
// 128 (discrete) or 16 (integrated, virtual) units; CPU devices 4.
func TestFillGroups(t *testing.T) {
	for _, c := range []struct {
		typ   string
		units int
		want  int
	}{
		{"discrete", 132, 528}, {"discrete", 0, 512}, {"integrated", 24, 96}, {"integrated", 0, 64},
		{"virtual", 0, 64}, {"cpu", 0, 4}, {"cpu", 8, 4},
	} {
		if got := FillGroups(DeviceInfo{Type: c.typ, ComputeUnits: c.units}); got != c.want {
			t.Errorf("%s with %d compute units: %d workgroups, want %d", c.typ, c.units, got, c.want)
		}
	}
}
