package cpu

import "testing"

// TestScratch: buffers have the asked length in a power-of-two class,
// come back from the pool with a new length, and foreign slices are not
// pooled.
func TestScratch(t *testing.T) {
	for _, n := range []int{1, 3, 13, 127, 128, 129, 1 << 20} {
		b := getScratch(n)
		if len(b) != n || cap(b) < n || cap(b)&(cap(b)-1) != 0 || cap(b) >= 2*n && n > 1 {
			t.Fatalf("getScratch(%d): len %d cap %d", n, len(b), cap(b))
		}
		for i := range b {
			b[i] = 1
		}
		putScratch(b)
		if c := getScratch(n - n/2); len(c) != n-n/2 {
			t.Fatalf("getScratch(%d) after put: len %d", n-n/2, len(c))
		}
	}
	if getScratch(0) != nil {
		t.Fatal("getScratch(0) is not nil")
	}
	putScratch(make([]float32, 3)) // not a pool size: dropped, must not panic
}
