package export

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"simclr-vk/engine"
	"simclr-vk/internal/regfile"
	"simclr-vk/simclr/checkpoint"
)

// Dtypes this package writes (F32, I64) and also reads (F16, BF16, F64:
// the dtypes of weights saved from half-precision or bfloat16 models, or
// from float64 ones).
const (
	F32  = "F32"
	I64  = "I64"
	F16  = "F16"
	BF16 = "BF16"
	F64  = "F64"
)

// MaxHeaderBytes bounds the JSON header a reader accepts (the reference
// implementation uses 100 MB).
const MaxHeaderBytes = 100 << 20

// Tensor is one named array. Exactly one of F32 / I64 holds the data:
// I64 for DType I64, F32 for every other. A tensor read from an F16, BF16
// or F64 file keeps that DType and holds its values as float32 (F16 and
// BF16 exactly; F64 rounded to nearest, refused where a finite value
// rounds beyond float32's range); the writer takes F32 and I64 only. An empty
// Shape is a scalar (one element).
type Tensor struct {
	Name  string
	DType string // F32 or I64 (read: also F16, BF16, F64)
	Shape []int
	F32   []float32
	I64   []int64
}

// Numel is the product of the shape (1 for a scalar).
func (t *Tensor) Numel() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

func (t *Tensor) check() error {
	if t.Name == "" || t.Name == "__metadata__" {
		return fmt.Errorf("invalid tensor name %q", t.Name)
	}
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", t.Name, t.Shape)
		}
	}
	n := t.Numel()
	switch t.DType {
	case F32:
		if len(t.F32) != n || t.I64 != nil {
			return fmt.Errorf("tensor %q: F32 shape %v needs %d values, has %d (I64 set: %v)", t.Name, t.Shape, n, len(t.F32), t.I64 != nil)
		}
	case I64:
		if len(t.I64) != n || t.F32 != nil {
			return fmt.Errorf("tensor %q: I64 shape %v needs %d values, has %d (F32 set: %v)", t.Name, t.Shape, n, len(t.I64), t.F32 != nil)
		}
	default:
		return fmt.Errorf("tensor %q: unsupported dtype %q (want F32 or I64)", t.Name, t.DType)
	}
	return nil
}

// itemSize is the bytes per element of a dtype the reader knows, else 0.
func itemSize(dtype string) int {
	switch dtype {
	case F16, BF16:
		return 2
	case F32:
		return 4
	case I64, F64:
		return 8
	}
	return 0
}

// f32Overflow is the least float64 magnitude that rounds to infinity as a
// float32: the largest float32 plus half its last step (a tie, rounded up
// because the largest float32's significand is odd).
const f32Overflow = 0x1.ffffffp127

// decodeValues reads raw, the little-endian data of numel elements of
// t.DType (already checked to be numel*itemSize bytes), into t.
func decodeValues(t *Tensor, raw []byte, numel int) error {
	le := binary.LittleEndian
	if t.DType == I64 {
		t.I64 = make([]int64, numel)
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
		return nil
	}
	f := make([]float32, numel)
	t.F32 = f
	switch t.DType {
	case F32:
		for i := range f {
			f[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case F16:
		for i := range f {
			f[i] = engine.Float16Value(le.Uint16(raw[2*i:]))
		}
	case BF16: // the top half of a float32
		for i := range f {
			f[i] = math.Float32frombits(uint32(le.Uint16(raw[2*i:])) << 16)
		}
	case F64:
		for i := range f {
			v := math.Float64frombits(le.Uint64(raw[8*i:]))
			switch a := math.Abs(v); {
			case a >= f32Overflow && !math.IsInf(v, 0):
				return fmt.Errorf("tensor %q: F64 value %g at index %d rounds beyond float32's range", t.Name, v, i)
			case a > math.MaxFloat32 && !math.IsInf(v, 0): // rounds down to the largest float32
				v = math.Copysign(math.MaxFloat32, v)
			}
			f[i] = float32(v)
		}
	}
	return nil
}

type headerEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// EncodeSafetensors writes tensors (sorted by name) and metadata to w.
func EncodeSafetensors(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	ts := make([]*Tensor, len(tensors))
	seen := make(map[string]bool, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if err := t.check(); err != nil {
			return err
		}
		if seen[t.Name] {
			return fmt.Errorf("duplicate tensor name %q", t.Name)
		}
		seen[t.Name] = true
		ts[i] = t
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })

	// The header is built by hand so that "__metadata__" comes first and
	// tensors follow in data order; json.Marshal escapes the strings.
	var h bytes.Buffer
	h.WriteByte('{')
	first := true
	if len(metadata) > 0 {
		m, err := json.Marshal(metadata) // map keys come out sorted
		if err != nil {
			return err
		}
		h.WriteString(`"__metadata__":`)
		h.Write(m)
		first = false
	}
	var off int64
	for _, t := range ts {
		if !first {
			h.WriteByte(',')
		}
		first = false
		name, _ := json.Marshal(t.Name)
		size := int64(t.Numel() * itemSize(t.DType))
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		e, err := json.Marshal(headerEntry{DType: t.DType, Shape: shape, DataOffsets: [2]int64{off, off + size}})
		if err != nil {
			return err
		}
		h.Write(name)
		h.WriteByte(':')
		h.Write(e)
		off += size
	}
	h.WriteByte('}')
	for (8+h.Len())%8 != 0 {
		h.WriteByte(' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(h.Len()))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, t := range ts {
		if t.DType == F32 {
			for _, v := range t.F32 {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) >= 1<<16 {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		} else {
			for _, v := range t.I64 {
				buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
				if len(buf) >= 1<<16 {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		}
	}
	_, err := w.Write(buf)
	return err
}

// WriteSafetensors writes a .safetensors file atomically.
func WriteSafetensors(path string, tensors []Tensor, metadata map[string]string) error {
	return writeAtomic("export: write safetensors", path, func(w io.Writer) error {
		return EncodeSafetensors(w, tensors, metadata)
	})
}

// Safetensors is a decoded file: tensors in data order, and the metadata.
type Safetensors struct {
	Tensors  []Tensor
	Metadata map[string]string
}

// Get returns the tensor with the given name, or nil.
func (s *Safetensors) Get(name string) *Tensor {
	for i := range s.Tensors {
		if s.Tensors[i].Name == name {
			return &s.Tensors[i]
		}
	}
	return nil
}

// ReadSafetensors reads and validates a .safetensors file (a regular file;
// see DecodeSafetensors). The header length is checked against the limit
// and the file size before the file is read whole, so a large file of
// another kind is refused at once.
func ReadSafetensors(path string) (*Safetensors, error) {
	s, err := regfile.Decode(path, checkSafetensorsFile, DecodeSafetensors)
	if err != nil {
		return nil, fmt.Errorf("export: read safetensors %s: %w", path, err)
	}
	return s, nil
}

// checkSafetensorsFile checks the header of an open safetensors file of
// size bytes before it is read whole: the header (at most MaxHeaderBytes)
// must cover the rest of the file, so that a sparse file or one with
// trailing data allocates nothing.
func checkSafetensorsFile(f io.ReaderAt, size int64) error {
	var n [8]byte
	if _, err := f.ReadAt(n[:], 0); err != nil {
		return nil // shorter than 8 bytes: DecodeSafetensors says so
	}
	hl := binary.LittleEndian.Uint64(n[:])
	if err := checkHeaderLength(hl, size-8); err != nil {
		return err
	}
	header := make([]byte, hl)
	if _, err := f.ReadAt(header, 8); err != nil {
		return fmt.Errorf("the file shrank while being read: %w", err)
	}
	_, _, _, err := decodeHeader(header, size-8-int64(hl))
	return err
}

// checkHeaderLength checks the header length hl against the limit and the
// rest bytes after it.
func checkHeaderLength(hl uint64, rest int64) error {
	if hl > MaxHeaderBytes {
		return fmt.Errorf("header length %d exceeds the %d-byte limit (not a safetensors file?)", hl, MaxHeaderBytes)
	}
	if hl > uint64(rest) {
		return fmt.Errorf("header length %d exceeds the %d bytes after it (truncated?)", hl, rest)
	}
	return nil
}

// DecodeSafetensors parses and validates a safetensors byte image. Every
// length, shape (checkpoint.Numel: no negative dimension, no overflowing
// product) and offset is checked against the image before any tensor is
// allocated, so it allocates about twice the image at most.
func DecodeSafetensors(data []byte) (*Safetensors, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	hl := binary.LittleEndian.Uint64(data[:8])
	if err := checkHeaderLength(hl, int64(len(data)-8)); err != nil {
		return nil, err
	}
	header := data[8 : 8+hl]
	buffer := data[8+hl:]
	out, ents, numels, err := decodeHeader(header, int64(len(buffer)))
	if err != nil {
		return nil, err
	}
	out.Tensors = make([]Tensor, 0, len(ents))
	for i, x := range ents {
		e := x.e
		raw := buffer[e.DataOffsets[0]:e.DataOffsets[1]]
		t := Tensor{Name: x.name, DType: e.DType, Shape: append([]int{}, e.Shape...)}
		if err := decodeValues(&t, raw, numels[i]); err != nil {
			return nil, err
		}
		out.Tensors = append(out.Tensors, t)
	}
	return out, nil
}

// headerEnt is one tensor entry of a safetensors header.
type headerEnt struct {
	name string
	e    headerEntry
}

// decodeHeader parses and validates a safetensors header (the JSON after
// the length) for a byte buffer of bufLen bytes: names, dtypes, shapes and
// contiguous data offsets that cover the buffer exactly. It returns the
// metadata, the entries in buffer order and their element counts. The file
// reader runs it before reading the buffer.
func decodeHeader(header []byte, bufLen int64) (*Safetensors, []headerEnt, []int, error) {
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, nil, errors.New("header does not start with '{'")
	}

	// Walk the top-level object with a token decoder to catch duplicate
	// names, which json.Unmarshal into a map would silently merge.
	dec := json.NewDecoder(bytes.NewReader(header))
	if _, err := dec.Token(); err != nil {
		return nil, nil, nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	out := &Safetensors{}
	seen := map[string]bool{}
	var ents []headerEnt
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("header is not valid JSON: %w", err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, nil, nil, fmt.Errorf("duplicate name %q in header", name)
		}
		seen[name] = true
		if name == "__metadata__" {
			if err := dec.Decode(&out.Metadata); err != nil {
				return nil, nil, nil, fmt.Errorf("__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, nil, fmt.Errorf("header is not valid JSON at %q: %w", name, err)
		}
		var e headerEntry
		d2 := json.NewDecoder(bytes.NewReader(raw))
		d2.DisallowUnknownFields()
		if err := d2.Decode(&e); err != nil {
			return nil, nil, nil, fmt.Errorf("tensor %q: bad header entry %s: %w", name, raw, err)
		}
		ents = append(ents, headerEnt{name, e})
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	rest := bytes.TrimRight(header[dec.InputOffset():], " ")
	if len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("header has %d bytes of trailing non-space data after the JSON object", len(rest))
	}

	// Check every entry against the buffer before allocating any tensor.
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].e.DataOffsets[0] < ents[j].e.DataOffsets[0] })
	numels := make([]int, len(ents))
	var pos int64
	for i, x := range ents {
		e := x.e
		if x.name == "" {
			return nil, nil, nil, errors.New("empty tensor name in header")
		}
		is := itemSize(e.DType)
		if is == 0 {
			return nil, nil, nil, fmt.Errorf("tensor %q: unsupported dtype %q (this reader knows F32, F16, BF16, F64 and I64)", x.name, e.DType)
		}
		numel, err := checkpoint.Numel(e.Shape)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("tensor %q: %w", x.name, err)
		}
		b, en := e.DataOffsets[0], e.DataOffsets[1]
		if b != pos {
			return nil, nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] not contiguous with the previous tensor (expected begin %d: overlapping, out of order or a gap)", x.name, b, en, pos)
		}
		if en < b || en > bufLen {
			return nil, nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] out of the %d-byte buffer", x.name, b, en, bufLen)
		}
		// en-b is within the buffer, so equality bounds numel by it.
		if numel > math.MaxInt64/is || int64(numel)*int64(is) != en-b {
			need := fmt.Sprintf("%d*%d", numel, is)
			if numel <= math.MaxInt64/is {
				need = fmt.Sprint(int64(numel) * int64(is))
			}
			return nil, nil, nil, fmt.Errorf("tensor %q: %s shape %v needs %s bytes, data_offsets give %d", x.name, e.DType, e.Shape, need, en-b)
		}
		numels[i] = numel
		pos = en
	}
	if pos != bufLen {
		return nil, nil, nil, fmt.Errorf("byte buffer is %d bytes but tensors cover %d (trailing or truncated data)", bufLen, pos)
	}
	return out, ents, numels, nil
}
