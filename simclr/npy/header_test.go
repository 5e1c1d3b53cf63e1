package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	for _, c := range []struct {
		descr string
		shape []int
	}{
		{"<f4", nil},
		{"<i8", []int{1}},
		{"<f4", []int{13, 3}},
		{"|u1", []int{127, 28, 28, 3}},
	} {
		b := EncodeHeader(c.descr, c.shape)
		if len(b)%64 != 0 || b[len(b)-1] != '\n' {
			t.Errorf("%s %v: header of %d bytes, not 64-aligned or not newline-terminated", c.descr, c.shape, len(b))
		}
		h, err := ReadHeader(bytes.NewReader(append(b, 1, 2, 3)))
		if err != nil {
			t.Fatalf("%s %v: %v", c.descr, c.shape, err)
		}
		if h.Descr != c.descr || fmt.Sprint(h.Shape) != fmt.Sprint(c.shape) || h.DataOffset != int64(len(b)) {
			t.Errorf("%s %v: read back %+v (header %d bytes)", c.descr, c.shape, h, len(b))
		}
	}
}

// TestReadHeaderVariants: what other writers produce (version 2.0, Python 2
// long dimensions, another key order) reads the same.
func TestReadHeaderVariants(t *testing.T) {
	dict := "{'shape': (2L, 3L), 'fortran_order': False, 'descr': '<f4'}\n"
	b := append([]byte(Magic), 2, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(dict)))
	b = append(b, dict...)
	h, err := ReadHeader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if h.Descr != "<f4" || fmt.Sprint(h.Shape) != "[2 3]" || h.DataOffset != int64(len(b)) || h.Numel() != 6 {
		t.Errorf("got %+v", h)
	}
}

func TestReadHeaderErrors(t *testing.T) {
	good := EncodeHeader("<f4", []int{2, 3})
	fortran := bytes.Replace(good, []byte("False"), []byte("True "), 1)
	noShape := bytes.Replace(good, []byte("'shape'"), []byte("'shap' "), 1)
	badDim := bytes.Replace(good, []byte("(2, 3)"), []byte("(2, x)"), 1)
	version := append([]byte(Magic), 9, 0, 0, 0)
	dict := func(d string) []byte {
		b := append([]byte(Magic), 1, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(d)+1))
		return append(append(b, d...), '\n')
	}
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"magic", []byte("PK\x03\x04 not npy at all"), "magic"},
		{"version", version, "version 9.0"},
		{"short dict", good[:20], "truncated"},
		{"fortran", fortran, "C-order"},
		{"no shape", noShape, "shape"},
		{"bad dimension", badDim, "bad shape"},
		{"negative dimension", dict("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }"), "not a non-negative integer"},
		{"product overflow", dict("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 0), }"), "overflows int64"},
		{"too many dims", dict("{'descr': '<f4', 'fortran_order': False, 'shape': (" + strings.Repeat("1,", 65) + "), }"), "more than 64 dimensions"},
		{"empty dimension", dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,,2), }"), "bad shape"},
		{"duplicate key", dict("{'descr': '<f4', 'descr': '|u1', 'fortran_order': False, 'shape': (1,), }"), "duplicate key 'descr'"},
		{"unknown key", dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}"), "unknown key 'x'"},
		{"structured dtype", dict("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), "structured dtypes"},
		{"fortran garbage", dict("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }"), "'fortran_order' is not False"},
		{"text after dict", dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x"), "text after the dict"},
		{"unterminated", dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,"), "bad shape"},
		{"no descr", dict("{'fortran_order': False, 'shape': (1,), }"), "has no 'descr'"},
		{"length beyond file", append([]byte(Magic), 2, 0, 0xff, 0xff, 0x0f, 0, '{'), "length field says 1048575 bytes, file has 1"},
		{"length above limit", append([]byte(Magic), 3, 0, 0xff, 0xff, 0xff, 0xff), "above the limit"},
	} {
		_, err := ReadHeader(bytes.NewReader(c.b))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// FuzzReadHeader: ReadHeader returns an error or a header whose shape
// re-encodes to a header that reads back the same; it never panics, the
// shape's product (zeros left out) fits an int64 so Numel and DataBytes do
// not overflow, and it allocates at most 64 bytes per input byte + 64 KiB.
func FuzzReadHeader(f *testing.F) {
	f.Add(EncodeHeader("<f4", []int{2, 3}))
	f.Add(EncodeHeader("|u1", []int{10, 28, 28, 3}))
	f.Add(EncodeHeader("<i8", []int{5}))
	f.Add(EncodeHeader("<f4", nil))
	f.Add([]byte("\x93NUMPY\x02\x00\x3a\x00\x00\x00{'shape': (2L, 3L), 'fortran_order': False, 'descr': '<f4'}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		h, err := ReadHeader(bytes.NewReader(b))
		runtime.ReadMemStats(&m1)
		if d := m1.TotalAlloc - m0.TotalAlloc; d > 64*uint64(len(b))+64<<10 {
			t.Fatalf("allocated %d bytes for a %d-byte input", d, len(b))
		}
		if err != nil {
			return
		}
		if h.DataOffset > int64(len(b)) || len(h.Shape) > MaxDims {
			t.Fatalf("header %+v from %d bytes", h, len(b))
		}
		prod := int64(1)
		for _, d := range h.Shape {
			if d < 0 || d > 0 && prod > math.MaxInt64/int64(d) {
				t.Fatalf("shape %v overflows", h.Shape)
			}
			prod *= int64(max(d, 1))
		}
		if strings.ContainsAny(h.Descr, "'\"\\") || len(h.Descr) > 1000 {
			return // not re-encodable as a version 1.0 header
		}
		h2, err := ReadHeader(bytes.NewReader(EncodeHeader(h.Descr, h.Shape)))
		if err != nil || h2.Descr != h.Descr || fmt.Sprint(h2.Shape) != fmt.Sprint(h.Shape) {
			t.Fatalf("re-encoded header %+v: %+v, %v", h, h2, err)
		}
	})
}
