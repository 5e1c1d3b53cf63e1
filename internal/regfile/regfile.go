package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Open opens path for reading when it is a regular file (symlinks are
// followed) and returns it with its size. Errors name the path.
func Open(path string) (*os.File, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := regular(path, st); err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	st, err = f.Stat()
	if err == nil {
		err = regular(path, st)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func regular(path string, st fs.FileInfo) error {
	m := st.Mode()
	if m.IsRegular() {
		return nil
	}
	kind := "special file"
	switch {
	case m.IsDir():
		kind = "directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "named pipe"
	case m&fs.ModeDevice != 0:
		kind = "device"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	}
	return fmt.Errorf("%s: not a regular file (a %s)", path, kind)
}

// ErrShrank marks a file that ended before the size its open file
// reported had been read.
var ErrShrank = errors.New("file shrank while being read")

// ReadFile reads the whole of the regular file path: exactly the size its
// open file reports, so the allocation is bounded by what is on disk.
func ReadFile(path string) ([]byte, error) { return ReadChecked(path, nil) }

// ReadChecked is ReadFile after check (when not nil) has accepted the file
// by its size and what it reads of it (ReadAt: a header, a magic number),
// so that nothing is allocated for a file it refuses. Its error is
// returned as it is.
func ReadChecked(path string, check func(f io.ReaderAt, size int64) error) ([]byte, error) {
	f, size, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if check != nil {
		if err := check(f, size); err != nil {
			return nil, err
		}
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%s: %d-byte %w: %w", path, size, ErrShrank, err)
	}
	return b, nil
}

// Decode is ReadChecked followed by decode of the bytes read (never called
// for a file check refuses). The error of either step is returned as it
// is, for the caller to name the file once.
func Decode[T any](path string, check func(f io.ReaderAt, size int64) error, decode func([]byte) (T, error)) (T, error) {
	b, err := ReadChecked(path, check)
	if err != nil {
		var zero T
		return zero, err
	}
	return decode(b)
}
