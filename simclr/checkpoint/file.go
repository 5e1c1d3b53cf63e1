package checkpoint

import (
	"errors"
	"fmt"
	"io"

	"simclr-vk/internal/atomicfile"
	"simclr-vk/internal/bound"
	"simclr-vk/internal/regfile"
)

// Read reads one checkpoint file: a regular file (a FIFO would block),
// read whole only after its first bytes show the checkpoint magic (a large
// foreign file given by mistake is refused at once).
func Read(path string) (*Checkpoint, error) {
	c, err := regfile.Decode(path, checkFile, Decode)
	if errors.Is(err, regfile.ErrShrank) {
		err = fmt.Errorf("%w: %v", ErrTruncated, err)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// checkFile checks the magic, the frame and the size of an open checkpoint
// file of size bytes before it is read whole.
func checkFile(f io.ReaderAt, size int64) error {
	var magic [len(Magic)]byte
	if n, err := f.ReadAt(magic[:], 0); n < len(magic) || string(magic[:]) != Magic {
		if err != nil && err != io.EOF {
			return err
		}
		return ErrForeign
	}
	head := make([]byte, min(size, headerSize))
	tail := make([]byte, min(size, trailerSize))
	if _, err := f.ReadAt(head, 0); err != nil {
		return err
	}
	if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil {
		return err
	}
	if err := checkFrame(head, tail, size); err != nil {
		return err
	}
	if mem := bound.PhysicalMemory(); mem > 0 && uint64(size) > mem {
		return fmt.Errorf("%d-byte file, larger than the physical memory of %d bytes it is decoded in", size, mem)
	}
	return nil
}

// Write writes c to path atomically: temporary file in the same directory,
// fsync, rename, fsync of the directory. On error the previous file at path
// (if any) is untouched and the temporary file is removed.
func Write(path string, c *Checkpoint) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return Encode(w, c) }); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return nil
}
