package cpu

import (
	"sync"
	"sync/atomic"
)

// parallelN is parallelFor with an explicit goroutine bound th: fn(lo, hi)
// over [0, n) in at most th contiguous chunks, each index handled once.
func parallelN(th, n int, fn func(lo, hi int)) {
	th = min(th, n)
	if th <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + th - 1) / th
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// parallelBlocks runs fn(block) for every block in [0, blocks) on up to th
// goroutines that take the next block in turn: on a shared machine a
// goroutine whose core is busy with another process takes fewer blocks
// instead of holding everyone up at the end, as a fixed split would. Each
// block is handled once; when fn's outputs depend only on the block, the
// results do not depend on the scheduling or the thread count.
func parallelBlocks(th, blocks int, fn func(block int)) {
	th = min(th, blocks)
	if th <= 1 {
		for i := 0; i < blocks; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(th)
	for w := 0; w < th; w++ {
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= blocks {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// parallelGrain is parallelBlocks over [0, n) in contiguous ranges of
// grain indices: fn(lo, hi).
func parallelGrain(th, n, grain int, fn func(lo, hi int)) {
	grain = max(grain, 1)
	parallelBlocks(th, (n+grain-1)/grain, func(b int) {
		fn(b*grain, min(n, (b+1)*grain))
	})
}
