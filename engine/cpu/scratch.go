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

// scratchPools[i] holds *[]float32 of capacity 1<<i, scratchPools64[i]
// *[]float64 (batch norm's per-unit sums).
var scratchPools, scratchPools64 [40]sync.Pool

// getScratch returns a buffer of length n (contents undefined).
func getScratch(n int) []float32 { return getFrom[float32](&scratchPools, n) }

// putScratch returns a buffer from getScratch to its pool.
func putScratch(b []float32) { putTo(&scratchPools, b) }

// getScratch64 and putScratch64 are getScratch and putScratch for float64.
func getScratch64(n int) []float64 { return getFrom[float64](&scratchPools64, n) }
func putScratch64(b []float64)     { putTo(&scratchPools64, b) }

func getFrom[T float32 | float64](pools *[40]sync.Pool, n int) []T {
	if n == 0 {
		return nil
	}
	class := bits.Len(uint(n - 1)) // smallest i with 1<<i >= n
	if b, ok := pools[class].Get().(*[]T); ok {
		return (*b)[:n]
	}
	return make([]T, n, 1<<class)
}

func putTo[T float32 | float64](pools *[40]sync.Pool, b []T) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return // not from getFrom
	}
	b = b[:c]
	pools[bits.Len(uint(c-1))].Put(&b)
}
