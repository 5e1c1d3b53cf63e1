package export

import (
	"fmt"
	"io"

	"simclr-vk/internal/regfile"
	"simclr-vk/simclr/npy"
)

// WriteNpyF32 writes float32 data (C order) with the given shape, e.g.
// features (N, D), as a .npy file.
func WriteNpyF32(path string, data []float32, shape ...int) error {
	if err := npy.CheckShape(len(data), shape); err != nil {
		return fmt.Errorf("export: write npy %s: %w", path, err)
	}
	return writeAtomic("export: write npy", path, func(w io.Writer) error {
		return npy.WriteF32(w, data, shape)
	})
}

// WriteNpyI64 writes int64 data, e.g. labels (N), as a .npy file.
func WriteNpyI64(path string, data []int64, shape ...int) error {
	if err := npy.CheckShape(len(data), shape); err != nil {
		return fmt.Errorf("export: write npy %s: %w", path, err)
	}
	return writeAtomic("export: write npy", path, func(w io.Writer) error {
		return npy.WriteI64(w, data, shape)
	})
}

// Npy is a decoded .npy array (npy.Array): Descr is "<f4" (F32 set) or
// "<i8" (I64 set).
type Npy = npy.Array

// ReadNpy reads a version 1.x/2.x .npy file holding C-order '<f4' or '<i8'.
func ReadNpy(path string) (*Npy, error) {
	b, err := regfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("export: read npy: %w", err)
	}
	a, err := npy.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("export: read npy %s: %w", path, err)
	}
	return a, nil
}
