package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"simclr-vk/internal/regfile"
)

// CheckShape reports an error unless shape has at least one dimension, none
// negative, and holds exactly n values.
func CheckShape(n int, shape []int) error {
	if len(shape) == 0 {
		return fmt.Errorf("empty shape")
	}
	p := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", shape)
		}
		p *= d
	}
	if p != n {
		return fmt.Errorf("shape %v needs %d values, got %d", shape, p, n)
	}
	return nil
}

// WriteF32 writes float32 data (C order) with the given shape as a '<f4'
// .npy stream to w. The shape is checked against len(data) first.
func WriteF32(w io.Writer, data []float32, shape []int) error {
	if err := CheckShape(len(data), shape); err != nil {
		return err
	}
	buf := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	return writeArray(w, "<f4", shape, buf)
}

// WriteI64 writes int64 data (C order) with the given shape as a '<i8'
// .npy stream to w. The shape is checked against len(data) first.
func WriteI64(w io.Writer, data []int64, shape []int) error {
	if err := CheckShape(len(data), shape); err != nil {
		return err
	}
	buf := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(v))
	}
	return writeArray(w, "<i8", shape, buf)
}

func writeArray(w io.Writer, descr string, shape []int, body []byte) error {
	if _, err := w.Write(EncodeHeader(descr, shape)); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

// WriteFile writes a C-order .npy (format 1.0) with the given dtype descr
// ("|u1", "<i4", "<i8", ...), shape and raw little-endian data to path,
// unchecked and not atomically: for tests and tools that build inputs.
func WriteFile(path, descr string, shape []int, raw []byte) error {
	b := append(EncodeHeader(descr, shape), raw...)
	return os.WriteFile(path, b, 0o644)
}

// Array is a decoded .npy array: Descr is "<f4" (F32 set) or "<i8" (I64
// set).
type Array struct {
	Descr string
	Shape []int
	F32   []float32
	I64   []int64
}

// Decode decodes a whole .npy file b holding a C-order '<f4' or '<i8'
// array. The data the header promises is checked against len(b) before
// the array is allocated.
func Decode(b []byte) (*Array, error) {
	h, err := ReadHeader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	a := &Array{Descr: h.Descr, Shape: h.Shape}
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

// File is a regular .npy file opened for reading, its header parsed.
type File struct {
	Header
	Size int64 // the file's size in bytes
	f    *os.File
}

// Open opens path, refusing anything but a regular file (a FIFO or device
// would block or never end), and parses its header. Errors name path.
func Open(path string) (*File, error) {
	f, size, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	h, err := ReadHeader(bufio.NewReader(io.NewSectionReader(f, 0, size)))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{Header: h, Size: size, f: f}, nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// CheckInts checks that the file holds an integer array, int64 '<i8',
// int32 '<i4' or uint8 '|u1'/'<u1', and that its size is exactly the data
// the header promises, and returns the item size. Callers check the shape
// between CheckInts and ReadInts; nothing is allocated before.
func (f *File) CheckInts() (int, error) {
	var size int
	switch f.Descr {
	case "<i8":
		size = 8
	case "<i4":
		size = 4
	case "|u1", "<u1":
		size = 1
	default:
		return 0, fmt.Errorf("dtype %q, want int64 '<i8', int32 '<i4' or uint8 '|u1'", f.Descr)
	}
	if err := f.CheckSize(size, f.Size); err != nil {
		return 0, err
	}
	return size, nil
}

// ReadInts reads the data of an integer array (see CheckInts, which it
// calls first, so a sparse or lying file allocates nothing) as ints in C
// order.
func (f *File) ReadInts() ([]int, error) {
	size, err := f.CheckInts()
	if err != nil {
		return nil, err
	}
	n := f.Numel()
	b := make([]byte, n*size)
	if _, err := f.f.ReadAt(b, f.DataOffset); err != nil {
		return nil, err
	}
	out := make([]int, n)
	for i := range out {
		switch size {
		case 8:
			out[i] = int(int64(binary.LittleEndian.Uint64(b[8*i:])))
		case 4:
			out[i] = int(int32(binary.LittleEndian.Uint32(b[4*i:])))
		case 1:
			out[i] = int(b[i])
		}
	}
	return out, nil
}
