package export

import (
	"fmt"
	"io"

	"simclr-vk/internal/atomicfile"
)

// writeAtomic writes path through internal/atomicfile, wrapping errors with
// op and the path.
func writeAtomic(op, path string, fill func(w io.Writer) error) error {
	if err := atomicfile.Write(path, fill); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	return nil
}
