package filetest

import (
	"testing"
	"time"
)

// Returns runs f and fails t (Fatal, naming what) when f has not returned
// after limit. A call that never returns is left running: the test has
// failed and its process ends with the run.
func Returns(t testing.TB, limit time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("%s: still blocked after %v", what, limit)
	}
}
