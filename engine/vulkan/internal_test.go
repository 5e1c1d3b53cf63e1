package vulkan

import (
	"testing"
	"unsafe"
)

// TestPushConstantSizes: each Go push struct must have the size of its
// GLSL block (std430-like packing of 4-byte scalars, in order).
func TestPushConstantSizes(t *testing.T) {
	for _, c := range []struct {
		name string
		got  uintptr
		want uintptr // 4 * number of GLSL fields
	}{
		{"pushN (copy, add, sub, mul, relu_*)", unsafe.Sizeof(pushN{}), 4},
		{"pushNScalar (fill, scale, axpy)", unsafe.Sizeof(pushNScalar{}), 8},
		{"pushReduce (sum_rows, sum_cols)", unsafe.Sizeof(pushReduce{}), 12},
		{"pushSumSquares (sum_squares)", unsafe.Sizeof(pushSumSquares{}), 8},
		{"pushGemm (gemm_regblock, gemm_tiled)", unsafe.Sizeof(pushGemm{}), 24},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d bytes, GLSL block has %d", c.name, c.got, c.want)
		}
		if c.got > pushRangeSize {
			t.Errorf("%s: %d bytes exceed the %d-byte push range", c.name, c.got, pushRangeSize)
		}
	}
	// Field offsets of the largest struct, field by field.
	var g pushGemm
	offs := []uintptr{unsafe.Offsetof(g.M), unsafe.Offsetof(g.N), unsafe.Offsetof(g.K), unsafe.Offsetof(g.Batch0), unsafe.Offsetof(g.Alpha), unsafe.Offsetof(g.Beta)}
	for i, o := range offs {
		if o != uintptr(4*i) {
			t.Errorf("pushGemm field %d at offset %d, want %d", i, o, 4*i)
		}
	}
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
