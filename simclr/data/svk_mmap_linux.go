//go:build linux

package data

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
)

// mapped is a .svk file memory-mapped read-only.
type mapped struct{ b []byte }

// mapFile maps the open file f of size bytes and closes f (the mapping
// stays valid). Where the file cannot be mapped (a file system without
// mmap, an address space too small) it returns f itself, read with ReadAt.
func mapFile(f *os.File, size int64) svkBlob {
	if size <= 0 || size != int64(int(size)) {
		return f
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return f
	}
	f.Close()
	return &mapped{b: b}
}

// ReadAt copies from the mapping. A page that faults (the file was
// truncated after it was mapped) is an error, not a crash.
func (m *mapped) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 || off > int64(len(m.b)) {
		return 0, fmt.Errorf("offset %d outside the %d mapped bytes", off, len(m.b))
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("reading the mapped file faulted (was it truncated or changed while in use?): %v", r)
		}
	}()
	n = copy(p, m.b[off:])
	if n < len(p) {
		return n, fmt.Errorf("read %d of %d bytes at offset %d: past the end", n, len(p), off)
	}
	return n, nil
}

func (m *mapped) Close() error {
	if m.b == nil {
		return nil
	}
	err := syscall.Munmap(m.b)
	m.b = nil
	return err
}
