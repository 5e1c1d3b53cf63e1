package export

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var npyMagic = []byte("\x93NUMPY")

// npyHeader builds a version 1.0 header whose total length (magic, version,
// length field, dict, newline) is a multiple of 64, as numpy writes it.
func npyHeader(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	var b bytes.Buffer
	b.Write(npyMagic)
	b.Write([]byte{1, 0})
	var n [2]byte
	binary.LittleEndian.PutUint16(n[:], uint16(len(dict)))
	b.Write(n[:])
	b.WriteString(dict)
	return b.Bytes()
}

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
		if _, err := w.Write(npyHeader("<f4", shape)); err != nil {
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
		if _, err := w.Write(npyHeader("<i8", shape)); err != nil {
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

var (
	reDescr = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	reOrder = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	reShape = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// ReadNpy reads a version 1.x/2.x .npy file holding C-order '<f4' or '<i8'.
func ReadNpy(path string) (*Npy, error) {
	b, err := os.ReadFile(path)
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
	if len(b) < 10 || !bytes.Equal(b[:6], npyMagic) {
		return nil, fmt.Errorf("not a .npy file (bad magic)")
	}
	var hl, start int
	switch b[6] {
	case 1:
		hl, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, fmt.Errorf("truncated header")
		}
		hl, start = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return nil, fmt.Errorf("unsupported .npy version %d.%d", b[6], b[7])
	}
	if start+hl > len(b) {
		return nil, fmt.Errorf("header length %d past end of file (truncated?)", hl)
	}
	h := string(b[start : start+hl])
	body := b[start+hl:]
	m := reDescr.FindStringSubmatch(h)
	if m == nil {
		return nil, fmt.Errorf("header has no descr: %q", h)
	}
	a := &Npy{Descr: m[1]}
	if o := reOrder.FindStringSubmatch(h); o == nil || o[1] != "False" {
		return nil, fmt.Errorf("only C-order arrays are supported (header %q)", h)
	}
	s := reShape.FindStringSubmatch(h)
	if s == nil {
		return nil, fmt.Errorf("header has no shape: %q", h)
	}
	n := 1
	for _, f := range strings.Split(s[1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("bad dimension %q in shape", f)
		}
		a.Shape = append(a.Shape, d)
		n *= d
	}
	var is int
	switch a.Descr {
	case "<f4":
		is = 4
	case "<i8":
		is = 8
	default:
		return nil, fmt.Errorf("unsupported dtype %q (want <f4 or <i8)", a.Descr)
	}
	if len(body) != n*is {
		return nil, fmt.Errorf("shape %v %s needs %d data bytes, file has %d", a.Shape, a.Descr, n*is, len(body))
	}
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
