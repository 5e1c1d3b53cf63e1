package alloctest

import (
	"runtime"
	"testing"
)

// Bytes is the number of bytes f allocates (runtime.MemStats.TotalAlloc
// before and after; other goroutines allocating at the same time count
// too, so callers run with -parallel 1 and use generous bounds).
func Bytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Max runs f and fails t when it allocates more than bound bytes, naming
// what ran and the input size.
func Max(t testing.TB, what string, inputLen int, bound uint64, f func()) {
	t.Helper()
	if got := Bytes(f); got > bound {
		t.Fatalf("%s: allocated %d bytes for a %d-byte input, bound %d", what, got, inputLen, bound)
	}
}

// Call is Max for a call returning a value and an error: it runs f under
// the bound and returns what f returned.
func Call[T any](t testing.TB, what string, inputLen int, bound uint64, f func() (T, error)) (T, error) {
	t.Helper()
	var v T
	var err error
	Max(t, what, inputLen, bound, func() { v, err = f() })
	return v, err
}

// Linear is the bound perByte*inputLen + fixed.
func Linear(inputLen int, perByte, fixed uint64) uint64 {
	return perByte*uint64(inputLen) + fixed
}
