package export

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeAtomic writes path through a temporary file in the same directory,
// fsyncs it and renames it into place.
func writeAtomic(op, path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = fill(bw); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	return nil
}
