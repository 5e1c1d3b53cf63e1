package cpu

import "sync"

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
