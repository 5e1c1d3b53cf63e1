package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Magic starts every .npy file.
const Magic = "\x93NUMPY"

// maxHeader bounds the header dict a reader accepts.
const maxHeader = 1 << 20

// Header is the parsed header of a .npy file.
type Header struct {
	Descr      string // dtype, e.g. "<f4", "<i8", "|u1"
	Shape      []int  // empty for a scalar
	DataOffset int64  // byte offset of the data from the start of the file
}

// Numel is the product of the shape (1 for a scalar).
func (h Header) Numel() int {
	n := 1
	for _, d := range h.Shape {
		n *= d
	}
	return n
}

// EncodeHeader returns a version 1.0 header for a C-order array whose total
// length (magic, version, length field, dict, newline) is a multiple of 64,
// as numpy writes it.
func EncodeHeader(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	pad := (64 - (10+len(dict)+1)%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	b := append([]byte(Magic), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	return append(b, dict...)
}

// ReadHeader reads the magic, the version and the header dict from r, which
// is left at the start of the data. Errors say what is wrong; the caller
// adds the file name.
func ReadHeader(r io.Reader) (Header, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return Header{}, fmt.Errorf("npy: truncated header: %w", err)
	}
	if string(pre[:6]) != Magic {
		return Header{}, fmt.Errorf("npy: wrong magic %q, want %q (not a .npy file)", pre[:6], Magic)
	}
	var hlen, off int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Header{}, fmt.Errorf("npy: truncated header: %w", err)
		}
		hlen, off = int(binary.LittleEndian.Uint16(b[:])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Header{}, fmt.Errorf("npy: truncated header: %w", err)
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[:])), 12
	default:
		return Header{}, fmt.Errorf("npy: unsupported format version %d.%d", pre[6], pre[7])
	}
	if hlen > maxHeader {
		return Header{}, fmt.Errorf("npy: header length %d too large", hlen)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return Header{}, fmt.Errorf("npy: truncated header: %w", err)
	}
	s := string(hb)
	h := Header{DataOffset: int64(off + hlen)}
	descr, ok := field(s, "descr")
	if !ok {
		return h, fmt.Errorf("npy: header %q has no 'descr'", s)
	}
	h.Descr = strings.Trim(descr, "'\"")
	fo, ok := field(s, "fortran_order")
	if !ok {
		return h, fmt.Errorf("npy: header %q has no 'fortran_order'", s)
	}
	if fo != "False" {
		return h, fmt.Errorf("npy: fortran_order is %s: only C-order arrays are supported (save with np.ascontiguousarray)", fo)
	}
	sh, ok := field(s, "shape")
	if !ok || !strings.HasPrefix(sh, "(") || !strings.HasSuffix(sh, ")") {
		return h, fmt.Errorf("npy: header %q has no 'shape' tuple", s)
	}
	for _, f := range strings.Split(sh[1:len(sh)-1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || v < 0 {
			return h, fmt.Errorf("npy: bad shape %s", sh)
		}
		h.Shape = append(h.Shape, v)
	}
	return h, nil
}

// field returns the value text of key in a Python dict literal: a quoted
// string, a parenthesised tuple or a bare word.
func field(s, key string) (string, bool) {
	i := strings.Index(s, "'"+key+"'")
	if i < 0 {
		return "", false
	}
	s = strings.TrimSpace(s[i+len(key)+2:])
	if !strings.HasPrefix(s, ":") {
		return "", false
	}
	s = strings.TrimSpace(s[1:])
	switch {
	case strings.HasPrefix(s, "("):
		j := strings.Index(s, ")")
		if j < 0 {
			return "", false
		}
		return s[:j+1], true
	case strings.HasPrefix(s, "'"), strings.HasPrefix(s, "\""):
		j := strings.IndexByte(s[1:], s[0])
		if j < 0 {
			return "", false
		}
		return s[:j+2], true
	}
	j := strings.IndexAny(s, ",}")
	if j < 0 {
		return "", false
	}
	return strings.TrimSpace(s[:j]), true
}
