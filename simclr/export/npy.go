package export

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"simclr-vk/internal/regfile"
	"simclr-vk/simclr/npy"
)

func checkNpyShape(op string, n int, shape []int) error {
	if len(shape) == 0 {
		return fmt.Errorf("%s: empty shape", op)
	}
	p := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("%s: negative dimension in shape %v", op, shape)
		}
		p *= d
	}
	if p != n {
		return fmt.Errorf("%s: shape %v needs %d values, got %d", op, shape, p, n)
	}
	return nil
}

// WriteNpyF32 writes float32 data (C order) with the given shape, e.g.
// features (N, D), as a .npy file.
func WriteNpyF32(path string, data []float32, shape ...int) error {
	if err := checkNpyShape("export: write npy "+path, len(data), shape); err != nil {
		return err
	}
	return writeAtomic("export: write npy", path, func(w io.Writer) error {
		if _, err := w.Write(npy.EncodeHeader("<f4", shape)); err != nil {
			return err
		}
		buf := make([]byte, 4*len(data))
		for i, v := range data {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		_, err := w.Write(buf)
		return err
	})
}

// WriteNpyI64 writes int64 data, e.g. labels (N), as a .npy file.
func WriteNpyI64(path string, data []int64, shape ...int) error {
	if err := checkNpyShape("export: write npy "+path, len(data), shape); err != nil {
		return err
	}
	return writeAtomic("export: write npy", path, func(w io.Writer) error {
		if _, err := w.Write(npy.EncodeHeader("<i8", shape)); err != nil {
			return err
		}
		buf := make([]byte, 8*len(data))
		for i, v := range data {
			binary.LittleEndian.PutUint64(buf[8*i:], uint64(v))
		}
		_, err := w.Write(buf)
		return err
	})
}

// Npy is a decoded .npy array: Descr is "<f4" (F32 set) or "<i8" (I64 set).
type Npy struct {
	Descr string
	Shape []int
	F32   []float32
	I64   []int64
}

// ReadNpy reads a version 1.x/2.x .npy file holding C-order '<f4' or '<i8'.
func ReadNpy(path string) (*Npy, error) {
	b, err := regfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("export: read npy: %w", err)
	}
	a, err := decodeNpy(b)
	if err != nil {
		return nil, fmt.Errorf("export: read npy %s: %w", path, err)
	}
	return a, nil
}

func decodeNpy(b []byte) (*Npy, error) {
	h, err := npy.ReadHeader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	a := &Npy{Descr: h.Descr, Shape: h.Shape}
	var is int
	switch a.Descr {
	case "<f4":
		is = 4
	case "<i8":
		is = 8
	default:
		return nil, fmt.Errorf("unsupported dtype %q (want <f4 or <i8)", a.Descr)
	}
	if err := h.CheckSize(is, int64(len(b))); err != nil {
		return nil, err // before allocating: the size is checked against the file
	}
	body, n := b[h.DataOffset:], h.Numel()
	if is == 4 {
		a.F32 = make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
		}
	} else {
		a.I64 = make([]int64, n)
		for i := range a.I64 {
			a.I64[i] = int64(binary.LittleEndian.Uint64(body[8*i:]))
		}
	}
	return a, nil
}
