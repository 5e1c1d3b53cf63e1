package export

import (
	"fmt"
	"io"

	"simclr-vk/simclr/atomicfile"
)

// writeAtomic writes path through simclr/atomicfile, wrapping errors with
// op and the path.
func writeAtomic(op, path string, fill func(w io.Writer) error) error {
	if err := atomicfile.Write(path, fill); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	return nil
}
