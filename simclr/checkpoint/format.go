package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"math/bits"

	"github.com/klauspost/compress/zstd"
)

// Format constants.
const (
	Magic       = "SIMCLRCK"
	Version     = 1
	endMagic    = "CKPT_END"
	headerSize  = 16
	trailerSize = 32
)

// Reader limits. Every size a file states is checked against them and
// against the file's real size before anything is allocated for it.
const (
	// MaxCompressionRatio bounds the content length a trailer may state:
	// at most MaxCompressionRatio times the compressed body plus
	// RatioSlack. Trained weights hardly compress (float32 mantissas), so
	// real checkpoints stay far below it; a larger figure is a damaged
	// trailer or a decompression bomb, refused before any allocation.
	MaxCompressionRatio = 64
	// RatioSlack lets tiny checkpoints (metadata, zero-filled buffers)
	// exceed the ratio.
	RatioSlack = 1 << 20
	// maxPlausibleVersion: a version field above it is damage, not a
	// newer format (format versions are bumped one at a time).
	maxPlausibleVersion = 255
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors a caller may test with errors.Is.
var (
	ErrForeign   = errors.New("not a simclr-vk checkpoint (wrong magic)")
	ErrNewer     = errors.New("checkpoint written by a newer format version")
	ErrTruncated = errors.New("checkpoint truncated")
	ErrChecksum  = errors.New("checkpoint checksum mismatch")
	ErrCorrupt   = errors.New("checkpoint corrupt")
	// ErrNonFinite: the checkpoint reads cleanly but holds NaN or Inf
	// values (a diverged model); see CheckFinite.
	ErrNonFinite = errors.New("checkpoint holds NaN or Inf values")
)

// Meta is the JSON metadata of a checkpoint.
type Meta struct {
	Config       json.RawMessage   `json:"config,omitempty"` // the run's configuration, as the caller encoded it
	Epoch        int               `json:"epoch"`            // epochs completed
	GlobalStep   int64             `json:"global_step"`      // optimizer steps completed
	StepInEpoch  int               `json:"step_in_epoch"`    // steps completed in the current epoch
	ScheduleStep int64             `json:"schedule_step"`    // position in the LR schedule
	RNG          []uint64          `json:"rng,omitempty"`    // RNG state words (opaque)
	RNGBytes     []byte            `json:"rng_bytes,omitempty"`
	Arch         json.RawMessage   `json:"arch,omitempty"` // architecture description
	Extra        map[string]string `json:"extra,omitempty"`
}

// Tensor kinds.
const (
	KindParam  = "param"
	KindBuffer = "buffer"
	KindOptim  = "optim"
)

// Tensor is one named float32 array.
type Tensor struct {
	Name  string
	Kind  string // KindParam, KindBuffer or KindOptim
	Shape []int
	Data  []float32
}

// Checkpoint is a decoded checkpoint.
type Checkpoint struct {
	Meta    Meta
	Tensors []Tensor
	// Set by Load / Read: the file read, and for a directory the newer
	// candidates skipped because they did not read cleanly.
	Path     string
	Warnings []string
}

// Get returns the tensor with the given name, or nil.
func (c *Checkpoint) Get(name string) *Tensor {
	for i := range c.Tensors {
		if c.Tensors[i].Name == name {
			return &c.Tensors[i]
		}
	}
	return nil
}

type indexEntry struct {
	Name  string `json:"name"`
	Kind  string `json:"kind,omitempty"`
	Shape []int  `json:"shape"`
}

type contentHeader struct {
	Meta    Meta         `json:"meta"`
	Tensors []indexEntry `json:"tensors"`
}

// Numel is the number of elements of a tensor of the given shape (1 for
// the scalar shape []). It is an error when a dimension is negative or when
// the product of the dimensions, zeros left out, overflows an int: a shape
// read from a file is checked with it before anything is allocated.
func Numel(shape []int) (int, error) {
	prod, zero := 1, false
	for _, d := range shape {
		switch {
		case d < 0:
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		case d == 0:
			zero = true
			continue
		}
		hi, lo := bits.Mul64(uint64(prod), uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, fmt.Errorf("shape %v: the product of the dimensions overflows", shape)
		}
		prod = int(lo)
	}
	if zero {
		return 0, nil
	}
	return prod, nil
}

// CheckFinite returns nil when every tensor of c (parameters, buffers and
// optimizer state) holds only finite values, else an error wrapping
// ErrNonFinite that names the first offending tensor, index and value and
// counts the tensors affected.
func (c *Checkpoint) CheckFinite() error {
	var first error
	bad := 0
	for _, t := range c.Tensors {
		for i, v := range t.Data {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				if first == nil {
					first = fmt.Errorf("%w: %s %s[%d] = %g", ErrNonFinite, t.Kind, t.Name, i, v)
				}
				bad++
				break
			}
		}
	}
	if bad > 1 {
		return fmt.Errorf("%w (and %d more tensors)", first, bad-1)
	}
	return first
}

type counter struct {
	n int64
	h hash.Hash32
}

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	c.h.Write(p)
	return len(p), nil
}

// Encode writes the checkpoint to w. It fails (after writing the body) on
// content that compresses beyond MaxCompressionRatio, which Decode would
// refuse; Write then leaves the previous file in place.
func Encode(w io.Writer, c *Checkpoint) error {
	idx := make([]indexEntry, len(c.Tensors))
	seen := map[string]bool{}
	for i, t := range c.Tensors {
		n, err := Numel(t.Shape)
		if err != nil {
			return fmt.Errorf("tensor %q: %w", t.Name, err)
		}
		if n != len(t.Data) {
			return fmt.Errorf("tensor %q: shape %v needs %d values, has %d", t.Name, t.Shape, n, len(t.Data))
		}
		if t.Name == "" || seen[t.Name] {
			return fmt.Errorf("tensor name %q empty or duplicated", t.Name)
		}
		seen[t.Name] = true
		sh := t.Shape
		if sh == nil {
			sh = []int{}
		}
		idx[i] = indexEntry{Name: t.Name, Kind: t.Kind, Shape: sh}
	}
	js, err := json.Marshal(contentHeader{Meta: c.Meta, Tensors: idx})
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}

	var hdr [headerSize]byte
	copy(hdr[:8], Magic)
	binary.LittleEndian.PutUint32(hdr[8:], Version)
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	body := &counter{h: crc32.New(castagnoli)}
	zw, err := zstd.NewWriter(io.MultiWriter(w, body), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return err
	}
	content := &counter{h: crc32.New(castagnoli)}
	cw := io.MultiWriter(zw, content)
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(len(js)))
	cw.Write(l[:])
	cw.Write(js)
	buf := make([]byte, 0, 1<<16)
	for _, t := range c.Tensors {
		for _, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				if _, err := cw.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	if _, err := cw.Write(buf); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	// Never write what Decode would refuse as a decompression bomb: the
	// file would be skipped on load while "latest" names it and pruning
	// removes the readable older ones.
	if limit := body.n*MaxCompressionRatio + RatioSlack; content.n > limit {
		return fmt.Errorf("content of %d bytes compresses to %d, beyond the compression ratio limit %d that readers accept (tensors almost all zeros?)",
			content.n, body.n, MaxCompressionRatio)
	}
	var tr [trailerSize]byte
	binary.LittleEndian.PutUint64(tr[0:], uint64(content.n))
	binary.LittleEndian.PutUint64(tr[8:], uint64(body.n))
	binary.LittleEndian.PutUint32(tr[16:], body.h.Sum32())
	binary.LittleEndian.PutUint32(tr[20:], content.h.Sum32())
	copy(tr[24:], endMagic)
	_, err = w.Write(tr[:])
	return err
}

// checkFrame checks the header (head: the first headerSize bytes, or all
// of a shorter image) and the trailer (tail: the last trailerSize bytes)
// of a checkpoint image of size bytes that starts with Magic: the version
// and flags, the end marker, and the body length against the size. Read
// runs it before reading a file whole, so that a file without a valid
// frame (a sparse file, a truncated copy) allocates nothing.
func checkFrame(head, tail []byte, size int64) error {
	if size < headerSize {
		return fmt.Errorf("%w: %d bytes, shorter than the header", ErrTruncated, size)
	}
	switch v := binary.LittleEndian.Uint32(head[8:]); {
	case v == 0 || v > maxPlausibleVersion:
		return fmt.Errorf("%w: header damaged: format version field %d is implausible (this build reads version %d)", ErrCorrupt, v, Version)
	case v > Version:
		return fmt.Errorf("%w: format %d, this build reads up to %d", ErrNewer, v, Version)
	}
	if f := binary.LittleEndian.Uint32(head[12:]); f != 0 {
		return fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, f)
	}
	if size < headerSize+trailerSize || string(tail[len(tail)-8:]) != endMagic {
		return fmt.Errorf("%w: end marker missing (file is %d bytes)", ErrTruncated, size)
	}
	bodyLen := binary.LittleEndian.Uint64(tail[8:])
	if have := uint64(size - headerSize - trailerSize); bodyLen != have {
		if bodyLen > have {
			return fmt.Errorf("%w: body is %d bytes, trailer says %d", ErrTruncated, have, bodyLen)
		}
		return fmt.Errorf("%w: body is %d bytes, trailer says %d", ErrCorrupt, have, bodyLen)
	}
	return nil
}

// Decode parses a checkpoint image. Every length it reads (content,
// metadata, tensor shapes) is checked against the image's size before
// anything is allocated for it; the content may not exceed
// MaxCompressionRatio times the body (plus RatioSlack), and decompression
// stops at the length the trailer states.
func Decode(b []byte) (*Checkpoint, error) {
	if len(b) < 8 || string(b[:8]) != Magic {
		return nil, ErrForeign
	}
	if err := checkFrame(b[:min(len(b), headerSize)], b[max(0, len(b)-trailerSize):], int64(len(b))); err != nil {
		return nil, err
	}
	tr := b[len(b)-trailerSize:]
	rawLen := binary.LittleEndian.Uint64(tr[0:])
	bodyLen := binary.LittleEndian.Uint64(tr[8:])
	body := b[headerSize : len(b)-trailerSize]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(tr[16:]); got != want {
		return nil, fmt.Errorf("%w: body CRC-32C %08x, trailer says %08x", ErrChecksum, got, want)
	}
	if limit := bodyLen*MaxCompressionRatio + RatioSlack; rawLen > limit {
		return nil, fmt.Errorf("%w: trailer says the content is %d bytes, more than the %d-byte body may hold (compression ratio limit %d): damaged trailer or decompression bomb",
			ErrCorrupt, rawLen, bodyLen, MaxCompressionRatio)
	}
	content, err := inflate(body, int(rawLen))
	if err != nil {
		return nil, err
	}
	if got, want := crc32.Checksum(content, castagnoli), binary.LittleEndian.Uint32(tr[20:]); got != want {
		return nil, fmt.Errorf("%w: content CRC-32C %08x, trailer says %08x", ErrChecksum, got, want)
	}
	if len(content) < 4 {
		return nil, fmt.Errorf("%w: content too short", ErrCorrupt)
	}
	jl := uint64(binary.LittleEndian.Uint32(content))
	if jl > uint64(len(content)-4) {
		return nil, fmt.Errorf("%w: metadata length %d past the %d-byte content", ErrCorrupt, jl, len(content))
	}
	var ch contentHeader
	if err := json.Unmarshal(content[4:4+jl], &ch); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrCorrupt, err)
	}
	if err := checkMeta(&ch.Meta); err != nil {
		return nil, err
	}
	data := content[4+jl:]
	// Check the whole index against the data before allocating a tensor.
	sizes := make([]int, len(ch.Tensors))
	seen := make(map[string]bool, len(ch.Tensors))
	left := len(data) / 4
	for i, e := range ch.Tensors {
		if e.Name == "" || seen[e.Name] {
			return nil, fmt.Errorf("%w: tensor %d: name %q empty or duplicated", ErrCorrupt, i, e.Name)
		}
		seen[e.Name] = true
		n, err := Numel(e.Shape)
		if err != nil {
			return nil, fmt.Errorf("%w: tensor %q: %v", ErrCorrupt, e.Name, err)
		}
		if n > left {
			return nil, fmt.Errorf("%w: tensor %q shape %v needs %d values, the content has %d left", ErrCorrupt, e.Name, e.Shape, n, left)
		}
		sizes[i] = n
		left -= n
	}
	if rest := len(data) - 4*(len(data)/4-left); rest != 0 {
		return nil, fmt.Errorf("%w: %d bytes of tensor data left over", ErrCorrupt, rest)
	}
	c := &Checkpoint{Meta: ch.Meta, Tensors: make([]Tensor, len(ch.Tensors))}
	off := 0
	for i, e := range ch.Tensors {
		t := Tensor{Name: e.Name, Kind: e.Kind, Shape: e.Shape, Data: make([]float32, sizes[i])}
		for j := range t.Data {
			t.Data[j] = math.Float32frombits(binary.LittleEndian.Uint32(data[off+4*j:]))
		}
		off += 4 * sizes[i]
		c.Tensors[i] = t
	}
	return c, nil
}

// inflate decompresses body into exactly n bytes, refusing a stream that
// decodes to more (decoding stops there) or less.
func inflate(body []byte, n int) ([]byte, error) {
	zr, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecodeAllCapLimit(true))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	content, err := zr.DecodeAll(body, make([]byte, 0, n))
	switch {
	case err != nil:
		// ErrDecoderSizeExceeded, or a block too big for the room left:
		// both mean the stream is longer than the trailer says.
		return nil, fmt.Errorf("%w: the body does not decompress to the %d bytes the trailer says: zstd: %v", ErrCorrupt, n, err)
	case len(content) != n:
		return nil, fmt.Errorf("%w: content is %d bytes, trailer says %d", ErrCorrupt, len(content), n)
	}
	return content, nil
}

// checkMeta refuses run positions no writer produces.
func checkMeta(m *Meta) error {
	if m.Epoch < 0 || m.GlobalStep < 0 || m.StepInEpoch < 0 || m.ScheduleStep < 0 {
		return fmt.Errorf("%w: negative run position (epoch %d, global step %d, step in epoch %d, schedule step %d)",
			ErrCorrupt, m.Epoch, m.GlobalStep, m.StepInEpoch, m.ScheduleStep)
	}
	return nil
}
