//go:build !linux

package data

import (
	"os"
)

// mapFile returns f itself: without a memory map (this platform), images
// are read with ReadAt.
func mapFile(f *os.File, size int64) svkBlob { return f }
