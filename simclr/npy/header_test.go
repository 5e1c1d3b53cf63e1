package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
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
	} {
		_, err := ReadHeader(bytes.NewReader(c.b))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
