package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
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
// adds the file name. The dict must hold exactly the keys 'descr' (a
// string), 'fortran_order' (False) and 'shape' (a tuple of at most MaxDims
// non-negative integers whose product, zeros left out, fits in an int64),
// so that Numel and the products of any of its dimensions cannot overflow.
// Only the header bytes actually present are allocated.
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
		return Header{}, fmt.Errorf("npy: header length %d above the limit of %d bytes", hlen, maxHeader)
	}
	// ReadAll through a LimitReader grows with the bytes present: a length
	// field promising more than the file holds costs no more than the file.
	hb, err := io.ReadAll(io.LimitReader(r, int64(hlen)))
	if err != nil {
		return Header{}, fmt.Errorf("npy: reading header: %w", err)
	}
	if len(hb) < hlen {
		return Header{}, fmt.Errorf("npy: truncated header: length field says %d bytes, file has %d", hlen, len(hb))
	}
	h, err := parseDict(string(hb))
	if err != nil {
		return Header{}, err
	}
	h.DataOffset = int64(off + hlen)
	return h, nil
}

// MaxDims bounds the number of dimensions (NumPy's own limit is 64).
const MaxDims = 64

// parseDict parses the header dict literal.
func parseDict(s string) (Header, error) {
	p := &dictParser{s: s}
	var h Header
	seen := map[string]bool{}
	quote := func(s string) string {
		if len(s) > 80 {
			s = s[:80] + "..."
		}
		return strconv.Quote(s)
	}
	fail := func(what string) (Header, error) {
		return Header{}, fmt.Errorf("npy: header %s: %s at byte %d", quote(s), what, p.i)
	}
	if !p.eat('{') {
		return fail("not a dict literal")
	}
	for !p.eat('}') {
		key, ok := p.str()
		if !ok {
			return fail("want a quoted key")
		}
		if seen[key] {
			return fail("duplicate key '" + key + "'")
		}
		seen[key] = true
		if !p.eat(':') {
			return fail("want ':' after '" + key + "'")
		}
		switch key {
		case "descr":
			if h.Descr, ok = p.str(); !ok {
				return Header{}, fmt.Errorf("npy: header %s: 'descr' is not a string (structured dtypes are not supported)", quote(s))
			}
		case "fortran_order":
			w := p.word()
			if w != "False" {
				if w == "True" {
					return Header{}, fmt.Errorf("npy: fortran_order is True: only C-order arrays are supported (save with np.ascontiguousarray)")
				}
				return fail("'fortran_order' is not False")
			}
		case "shape":
			shape, err := p.tuple()
			if err != nil {
				return Header{}, fmt.Errorf("npy: bad shape in header %s: %v", quote(s), err)
			}
			h.Shape = shape
		default:
			return fail("unknown key '" + key + "' (a .npy header has 'descr', 'fortran_order' and 'shape')")
		}
		if !p.eat(',') {
			if !p.eat('}') {
				return fail("want ',' or '}'")
			}
			break
		}
	}
	if strings.TrimSpace(s[p.i:]) != "" {
		return fail("text after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return Header{}, fmt.Errorf("npy: header %s has no '%s'", quote(s), k)
		}
	}
	return h, nil
}

type dictParser struct {
	s string
	i int
}

func (p *dictParser) skip() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *dictParser) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a '...' or "..." string without escapes.
func (p *dictParser) str() (string, bool) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	j := strings.IndexByte(p.s[p.i+1:], q)
	if j < 0 || strings.IndexByte(p.s[p.i+1:p.i+1+j], '\\') >= 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+j]
	p.i += j + 2
	return v, true
}

// word reads a run of letters, digits and underscores.
func (p *dictParser) word() string {
	p.skip()
	j := p.i
	for j < len(p.s) && (p.s[j] == '_' || p.s[j] >= '0' && p.s[j] <= '9' || p.s[j]|0x20 >= 'a' && p.s[j]|0x20 <= 'z') {
		j++
	}
	w := p.s[p.i:j]
	p.i = j
	return w
}

// tuple reads (d0, d1, ...) of non-negative integers (Python 2's 12L
// included).
func (p *dictParser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, fmt.Errorf("not a tuple")
	}
	shape := []int{}
	prod := uint64(1)
	for !p.eat(')') {
		w := p.word()
		v, err := strconv.ParseInt(strings.TrimSuffix(w, "L"), 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("dimension %q is not a non-negative integer", w)
		}
		if len(shape) == MaxDims {
			return nil, fmt.Errorf("more than %d dimensions", MaxDims)
		}
		if v > 0 {
			if prod > math.MaxInt64/uint64(v) {
				return nil, fmt.Errorf("the dimensions' product overflows int64")
			}
			prod *= uint64(v)
		}
		shape = append(shape, int(v))
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, fmt.Errorf("want ',' or ')'")
			}
			break
		}
	}
	if len(shape) == 0 {
		shape = nil
	}
	return shape, nil
}

// DataBytes is the number of data bytes the header promises for items of
// itemSize bytes, or an error when that overflows an int64.
func (h Header) DataBytes(itemSize int) (int64, error) {
	n := int64(h.Numel())
	if itemSize > 0 && n > math.MaxInt64/int64(itemSize) {
		return 0, fmt.Errorf("npy: shape %v of %d-byte items overflows int64", h.Shape, itemSize)
	}
	return n * int64(itemSize), nil
}

// CheckSize checks that a file of fileSize bytes holds exactly the data the
// header promises for items of itemSize bytes, with an error saying which
// way it differs.
func (h Header) CheckSize(itemSize int, fileSize int64) error {
	need, err := h.DataBytes(itemSize)
	if err != nil {
		return err
	}
	if have := fileSize - h.DataOffset; have != need {
		what := "truncated"
		if have > need {
			what = "trailing bytes"
		}
		return fmt.Errorf("npy: %s: shape %v %s needs %d data bytes, file has %d", what, h.Shape, h.Descr, need, max(have, 0))
	}
	return nil
}
