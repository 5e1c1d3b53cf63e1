//go:build unix

package regfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/internal/filetest"
)

func TestOpenRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.npy")
	filetest.FIFO(t, fifo)
	loop := filepath.Join(dir, "loop.png")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{fifo, "not a regular file (a named pipe)"},
		{"/dev/zero", "not a regular file (a device)"},
		{dir, "not a regular file (a directory)"},
		{loop, "too many levels of symbolic links"},
	} {
		if _, err := ReadFile(c.path); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("ReadFile(%s): %v, want an error naming it and %q", c.path, err, c.want)
		}
	}
	p := filepath.Join(dir, "ok")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p); err != nil || string(b) != "abc" {
		t.Fatalf("ReadFile(regular) = %q, %v", b, err)
	}
}

// TestReadChecked: check sees the open file and its size, and its error
// comes back as it is, with nothing read; a nil check reads the file whole.
func TestReadChecked(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("magic+body"), 0o644); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	var sawSize int64
	var sawHead string
	b, err := ReadChecked(p, func(f io.ReaderAt, size int64) error {
		head := make([]byte, 5)
		if _, err := f.ReadAt(head, 0); err != nil {
			return err
		}
		sawSize, sawHead = size, string(head)
		return refused
	})
	if b != nil || err != refused || sawSize != 10 || sawHead != "magic" {
		t.Fatalf("ReadChecked refusing: %q, %v (check saw %d bytes, %q)", b, err, sawSize, sawHead)
	}
	if b, err := ReadChecked(p, func(io.ReaderAt, int64) error { return nil }); err != nil || string(b) != "magic+body" {
		t.Fatalf("ReadChecked accepting: %q, %v", b, err)
	}
}

// TestDecode: decode gets the bytes of a file check accepts and its result
// and error come back as they are; a refused or unreadable file is never
// decoded.
func TestDecode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("magic+body"), 0o644); err != nil {
		t.Fatal(err)
	}
	decoded := 0
	length := func(b []byte) (int, error) {
		decoded++
		if string(b) != "magic+body" {
			return 0, errors.New("bad bytes")
		}
		return len(b), nil
	}
	accept := func(io.ReaderAt, int64) error { return nil }
	if n, err := Decode(p, accept, length); n != 10 || err != nil || decoded != 1 {
		t.Fatalf("Decode accepting: %d, %v (%d decodes)", n, err, decoded)
	}
	refused := errors.New("refused")
	if n, err := Decode(p, func(io.ReaderAt, int64) error { return refused }, length); n != 0 || err != refused || decoded != 1 {
		t.Fatalf("Decode refusing: %d, %v (%d decodes)", n, err, decoded)
	}
	if _, err := Decode(filepath.Dir(p), accept, length); err == nil || decoded != 1 {
		t.Fatalf("Decode of a directory: %v (%d decodes)", err, decoded)
	}
	bad := errors.New("corrupt")
	if _, err := Decode(p, accept, func([]byte) (int, error) { return 0, bad }); err != bad {
		t.Fatalf("Decode's decode error: %v, want it as it is", err)
	}
}
