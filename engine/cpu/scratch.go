package cpu

import (
	"math/bits"
	"sync"
)

// Scratch buffers (im2col columns, per-goroutine partial sums) come from
// size-class pools instead of a fresh allocation per call: a training step
// runs ~60 convolutions, each wanting one buffer per goroutine, and fresh
// buffers cost page faults and garbage collections. Contents of a buffer
// from getScratch are undefined; callers overwrite all of it.

// scratchPools[i] holds *[]float32 of capacity 1<<i.
var scratchPools [40]sync.Pool

// getScratch returns a buffer of length n (contents undefined).
func getScratch(n int) []float32 {
	if n == 0 {
		return nil
	}
	class := bits.Len(uint(n - 1)) // smallest i with 1<<i >= n
	if b, ok := scratchPools[class].Get().(*[]float32); ok {
		return (*b)[:n]
	}
	return make([]float32, n, 1<<class)
}

// putScratch returns a buffer from getScratch to its pool.
func putScratch(b []float32) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return // not from getScratch
	}
	b = b[:c]
	scratchPools[bits.Len(uint(c-1))].Put(&b)
}
