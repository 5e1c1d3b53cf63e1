//go:build !unix

package filetest

import "testing"

// FIFO skips the test: this system has no named pipes.
func FIFO(t testing.TB, p string) {
	t.Helper()
	t.Skip("no named pipes on this system")
}
