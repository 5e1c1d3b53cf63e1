package filetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFIFO: the file made is a named pipe, in folders made for it.
func TestFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a", "b", "pipe")
	FIFO(t, p)
	st, err := os.Lstat(p)
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("FIFO made %v (%v), want a named pipe", st, err)
	}
}

// TestReturns: a call that returns passes and has run; one that blocks
// past the limit fails the test (seen through a fake testing.TB).
func TestReturns(t *testing.T) {
	ran := false
	Returns(t, time.Minute, "quick", func() { ran = true })
	if !ran {
		t.Fatal("Returns did not run f")
	}
	ft := &fatalTB{TB: t}
	block := make(chan struct{})
	defer close(block)
	func() {
		defer func() { recover() }() // fatalTB panics to stop, as Fatal ends a test
		Returns(ft, 10*time.Millisecond, "stuck", func() { <-block })
	}()
	if ft.msg != "stuck: still blocked after 10ms" {
		t.Fatalf("blocked call: Fatal message %q", ft.msg)
	}
}

type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f.msg)
}
