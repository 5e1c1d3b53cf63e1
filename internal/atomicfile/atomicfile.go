package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// TempPrefix starts the names of temporary files; a leftover one (after a
// crash) can be recognised and removed by it.
const TempPrefix = ".tmp-"

// Write replaces path with what fill writes, atomically (see the package
// doc). On any error (or a panic in fill, which goes on) the temporary file
// is removed, the previous file at path is untouched, and the error is
// returned as is for the caller to wrap with its op and path. A symbolic
// link at path is replaced by the file, never written through.
func Write(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	renamed = true
	return SyncDir(dir)
}

// SyncDir fsyncs a directory so that a rename inside it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
