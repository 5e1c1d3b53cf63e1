package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"simclr-vk/internal/alloctest"
	"simclr-vk/internal/filetest"
)

// decodeBound is what Decode may allocate for an image of n bytes: the
// content (at most MaxCompressionRatio*n + RatioSlack), its tensors again
// as float32, JSON decoding, and the zstd decoder's fixed state.
func decodeBound(n int) uint64 {
	return alloctest.Linear(n, 2*MaxCompressionRatio+64, 2*RatioSlack+16<<20)
}

// image builds a checkpoint file around raw content (the uint32 metadata
// length, the JSON, the tensor data) with valid checksums and the trailer's
// content length set to rawLen (len(content) when negative).
func image(t testing.TB, content []byte, rawLen int64) []byte {
	t.Helper()
	var body bytes.Buffer
	zw, err := zstd.NewWriter(&body)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(content)
	zw.Close()
	if rawLen < 0 {
		rawLen = int64(len(content))
	}
	out := append([]byte(Magic), 1, 0, 0, 0, 0, 0, 0, 0)
	out = append(out, body.Bytes()...)
	out = binary.LittleEndian.AppendUint64(out, uint64(rawLen))
	out = binary.LittleEndian.AppendUint64(out, uint64(body.Len()))
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(body.Bytes(), castagnoli))
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(content, castagnoli))
	return append(out, endMagic...)
}

// content is the raw content of a checkpoint with the given metadata JSON
// followed by data.
func content(js string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(js)))
	return append(append(out, js...), data...)
}

// TestTrailerLengthFlips: every bit of the trailer's content length
// flipped in a real checkpoint is refused as corrupt, without allocating
// what it claims (the 2^40 bits used to end in "fatal error: runtime: out
// of memory").
func TestTrailerLengthFlips(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample(5)); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	at := len(good) - trailerSize
	for bit := range 64 {
		b := append([]byte(nil), good...)
		b[at+bit/8] ^= 1 << (bit % 8)
		_, err := alloctest.Call(t, "flipped content length", len(b), decodeBound(len(b)), func() (*Checkpoint, error) { return Decode(b) })
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrChecksum) {
			t.Errorf("bit %d of the content length flipped: %v, want corrupt", bit, err)
		}
	}
}

// TestLatestCorruptFallsBack: "latest" naming a checkpoint with a damaged
// content length loads the previous checkpoint, with a warning.
func TestLatestCorruptFallsBack(t *testing.T) {
	d := Dir{Path: t.TempDir()}
	for _, s := range []int64{10, 20} {
		if _, err := d.Save(sample(s)); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(d.Path, FileName(20))
	b, _ := os.ReadFile(p)
	b[len(b)-trailerSize+4] ^= 0x40 // content length + 2^38
	os.WriteFile(p, b, 0o644)
	c, err := alloctest.Call(t, "Load", len(b), 2*decodeBound(len(b)), func() (*Checkpoint, error) { return Load(d.Path) })
	if err != nil || c.Meta.GlobalStep != 10 || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], p) ||
		!strings.Contains(c.Warnings[0], "damaged trailer") {
		t.Fatalf("Load: %v, warnings %q", err, c.Warnings)
	}
}

// TestDecompressionBomb: a small file whose body expands to far more than
// the compression-ratio limit is refused before decompressing (honest
// trailer) or when decompression passes the stated length (lying trailer),
// in both cases allocating about the file size.
func TestDecompressionBomb(t *testing.T) {
	raw := content(`{"meta":{},"tensors":[{"name":"w","shape":[16777216]}]}`, make([]byte, 64<<20))
	for _, tc := range []struct {
		name   string
		rawLen int64
		want   string
	}{
		{"honest trailer", -1, "compression ratio limit"},
		{"trailer says 1000 bytes", 1000, "does not decompress to the 1000 bytes"},
	} {
		b := image(t, raw, tc.rawLen)
		_, err := alloctest.Call(t, tc.name, len(b), decodeBound(len(b)), func() (*Checkpoint, error) { return Decode(b) })
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s (%d-byte file): %v, want corrupt: %q", tc.name, len(b), err, tc.want)
		}
	}
}

// TestIndexChecks: shapes that overflow, do not fit the data, duplicated
// or empty names, and negative run positions are corrupt, not a panic or
// an allocation.
func TestIndexChecks(t *testing.T) {
	for _, tc := range []struct{ js, want string }{
		{`{"meta":{},"tensors":[{"name":"w","shape":[4,4611686018427387904]}]}`, "overflows"},
		{`{"meta":{},"tensors":[{"name":"w","shape":[3,4611686018427387904]}]}`, "overflows"},
		{`{"meta":{},"tensors":[{"name":"w","shape":[-1]}]}`, "negative dimension"},
		{`{"meta":{},"tensors":[{"name":"w","shape":[1000000000]}]}`, "needs 1000000000 values, the content has 2 left"},
		{`{"meta":{},"tensors":[{"name":"w","shape":[1]},{"name":"w","shape":[1]}]}`, "empty or duplicated"},
		{`{"meta":{},"tensors":[{"name":"","shape":[2]}]}`, "empty or duplicated"},
		{`{"meta":{},"tensors":[{"name":"w","shape":[1]}]}`, "4 bytes of tensor data left over"},
		{`{"meta":{"global_step":-5},"tensors":[{"name":"w","shape":[2]}]}`, "negative run position"},
	} {
		b := image(t, content(tc.js, make([]byte, 8)), -1)
		_, err := alloctest.Call(t, tc.js, len(b), decodeBound(len(b)), func() (*Checkpoint, error) { return Decode(b) })
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want corrupt: %q", tc.js, err, tc.want)
		}
	}
	// The same content with a valid index reads.
	c, err := Decode(image(t, content(`{"meta":{},"tensors":[{"name":"w","shape":[2,1]},{"name":"e","shape":[0,4611686018427387904]}]}`, make([]byte, 8)), -1))
	if err != nil || len(c.Tensors) != 2 || len(c.Tensors[0].Data) != 2 || len(c.Tensors[1].Data) != 0 {
		t.Fatalf("valid index: %v %v", c, err)
	}
}

// TestImplausibleVersion: random bytes after the magic are a damaged
// header, not "a newer format version 4099582230".
func TestImplausibleVersion(t *testing.T) {
	var buf bytes.Buffer
	Encode(&buf, sample(1))
	b := buf.Bytes()
	binary.LittleEndian.PutUint32(b[8:], 4099582230)
	_, err := Decode(b)
	if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNewer) || !strings.Contains(err.Error(), "version field 4099582230 is implausible") {
		t.Errorf("version 4099582230: %v, want a damaged header", err)
	}
	binary.LittleEndian.PutUint32(b[8:], Version+1)
	if _, err := Decode(b); !errors.Is(err, ErrNewer) {
		t.Errorf("version %d: %v, want newer", Version+1, err)
	}
}

func TestNumel(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		n     int
		ok    bool
	}{
		{nil, 1, true}, {[]int{}, 1, true}, {[]int{2, 3}, 6, true}, {[]int{0, 1 << 62}, 0, true},
		{[]int{1 << 62, 0, 4}, 0, false}, {[]int{1 << 62, 2}, 0, false}, {[]int{math.MaxInt, 1}, math.MaxInt, true},
		{[]int{2, -1}, 0, false}, {[]int{1 << 32, 1 << 31}, 0, false},
	} {
		n, err := Numel(tc.shape)
		if (err == nil) != tc.ok || (tc.ok && n != tc.n) {
			t.Errorf("Numel(%v) = %d, %v; want %d ok %v", tc.shape, n, err, tc.n, tc.ok)
		}
	}
}

// TestLoadSkipsNonFinite: a directory whose newest checkpoints hold NaN or
// Inf loads the newest finite one and says which were skipped and why;
// only non-finite ones is an error; a file loaded directly is returned as
// it is (CheckFinite tells).
func TestLoadSkipsNonFinite(t *testing.T) {
	d := Dir{Path: t.TempDir()}
	for _, s := range []int64{10, 20, 30} {
		c := sample(s)
		if s == 20 {
			c.Tensors[0].Data[7] = float32(math.NaN())
		}
		if s == 30 {
			c.Tensors[3].Data[1] = float32(math.Inf(-1))
		}
		if _, err := d.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(d.Path)
	if err != nil || c.Meta.GlobalStep != 10 || len(c.Warnings) != 2 {
		t.Fatalf("Load: %v, warnings %q", err, c.Warnings)
	}
	for i, want := range []string{FileName(30) + ": checkpoint holds NaN or Inf values: optim conv1.weight.momentum[1] = -Inf",
		FileName(20) + ": checkpoint holds NaN or Inf values: param conv1.weight[7] = NaN"} {
		if !strings.Contains(c.Warnings[i], want) {
			t.Errorf("warning %d: %q, want %q", i, c.Warnings[i], want)
		}
	}
	os.Remove(filepath.Join(d.Path, FileName(10)))
	if _, err := Load(d.Path); !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "no usable checkpoint") {
		t.Errorf("only non-finite checkpoints: %v", err)
	}
	c, err = Load(filepath.Join(d.Path, FileName(20)))
	if err != nil || !errors.Is(c.CheckFinite(), ErrNonFinite) {
		t.Errorf("direct load: %v, CheckFinite %v", err, c.CheckFinite())
	}
	if err := special(1).CheckFinite(); err == nil || !strings.Contains(err.Error(), "(and 1 more tensors)") {
		t.Errorf("CheckFinite of two bad tensors: %v", err)
	}
	if err := sample(1).CheckFinite(); err != nil {
		t.Errorf("CheckFinite of a finite checkpoint: %v", err)
	}
}

// TestLatestNotRegular: a "latest" that is a directory, a FIFO (opening
// it would block), an over-long file or names something outside the
// checkpoint files is ignored.
func TestLatestNotRegular(t *testing.T) {
	for _, setup := range []func(p string){
		func(p string) { os.Mkdir(p, 0o755) },
		func(p string) { filetest.FIFO(t, p) },
		func(p string) { os.WriteFile(p, bytes.Repeat([]byte(" "), 2*maxLatestBytes), 0o644) },
		func(p string) { os.WriteFile(p, []byte("../checkpoint-000010.ckpt\n"), 0o644) },
	} {
		d := Dir{Path: t.TempDir()}
		d.Save(sample(10))
		os.Remove(filepath.Join(d.Path, LatestFile))
		setup(filepath.Join(d.Path, LatestFile))
		var c *Checkpoint
		var err error
		filetest.Returns(t, 10*time.Second, "Load with that pointer file", func() { c, err = Load(d.Path) })
		if err != nil || c.Meta.GlobalStep != 10 {
			t.Errorf("Load: %v, want checkpoint 10", err)
		}
	}
}

// decodeChecked decodes b within decodeBound's allocations and checks that
// every tensor decoded holds as many values as its shape says; nil when b
// does not decode.
func decodeChecked(t *testing.T, b []byte) *Checkpoint {
	t.Helper()
	c, err := alloctest.Call(t, "Decode", len(b), decodeBound(len(b)), func() (*Checkpoint, error) { return Decode(b) })
	if err != nil {
		return nil
	}
	for _, x := range c.Tensors {
		if n, err := Numel(x.Shape); err != nil || n != len(x.Data) {
			t.Fatalf("tensor %q: shape %v with %d values", x.Name, x.Shape, len(x.Data))
		}
	}
	return c
}

// FuzzDecode: any image decodes to an error or a checkpoint whose tensors
// match their shapes, never panics, and allocates within decodeBound.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	Encode(&buf, sample(3))
	f.Add(buf.Bytes())
	buf.Reset()
	Encode(&buf, &Checkpoint{})
	f.Add(buf.Bytes())
	f.Add(image(f, content(`{"meta":{},"tensors":[{"name":"w","shape":[2]}]}`, make([]byte, 8)), -1))
	f.Add([]byte(Magic + "\x01\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := decodeChecked(t, b)
		if c == nil {
			return
		}
		if _, err := json.Marshal(c.Meta); err != nil {
			t.Fatalf("meta does not re-encode: %v", err)
		}
	})
}

// FuzzDecodeContent fuzzes the content behind valid checksums (which
// FuzzDecode's mutations rarely get past): metadata, index and tensor
// data, with the trailer's content length off by delta.
func FuzzDecodeContent(f *testing.F) {
	f.Add(content(`{"meta":{"epoch":1,"global_step":3,"arch":{"arch":"resnet18"}},"tensors":[{"name":"w","kind":"param","shape":[2,1]},{"name":"s","shape":[]}]}`, make([]byte, 12)), int16(0))
	f.Add(content(`{"meta":{},"tensors":[{"name":"w","shape":[2]}]}`, make([]byte, 8)), int16(-3))
	f.Add(content(`{"meta":{},"tensors":[]}`, nil), int16(100))
	f.Fuzz(func(t *testing.T, raw []byte, delta int16) {
		b := image(t, raw, max(0, int64(len(raw))+int64(delta)))
		decodeChecked(t, b)
	})
}

// TestReadForeignLargeFile: a large file that is not a checkpoint (a
// dataset given to --resume by mistake) is refused from its first bytes,
// without reading it whole.
func TestReadForeignLargeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(256 << 20) // sparse
	f.Close()
	_, rerr := alloctest.Call(t, "Read", 0, 1<<20, func() (*Checkpoint, error) { return Read(p) })
	if !errors.Is(rerr, ErrForeign) || !strings.Contains(rerr.Error(), p) {
		t.Errorf("foreign file: %v", rerr)
	}
}

// writeSmall writes a checkpoint of one 4-value tensor w to a new
// checkpoint file and returns its path.
func writeSmall(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName(1))
	small := &Checkpoint{Tensors: []Tensor{{Name: "w", Shape: []int{4}, Data: []float32{1, 2, 3, 4}}}}
	if err := Write(path, small); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWriteRefusesWhatDecodeRefuses: a checkpoint whose tensors compress
// beyond the ratio limit (all zeros) is not written (the file it would
// replace is kept), instead of being written and then skipped on load.
func TestWriteRefusesWhatDecodeRefuses(t *testing.T) {
	path := writeSmall(t)
	zeros := &Checkpoint{Tensors: []Tensor{{Name: "w", Shape: []int{8 << 20}, Data: make([]float32, 8<<20)}}}
	if err := Write(path, zeros); err == nil || !strings.Contains(err.Error(), "compression ratio limit") {
		t.Fatalf("Write of 32 MiB of zeros: %v, want a refusal", err)
	}
	if c, err := Read(path); err != nil || len(c.Tensors) != 1 || len(c.Tensors[0].Data) != 4 {
		t.Fatalf("the previous checkpoint after the refused write: %v", err)
	}
}

// TestSparseFileNotReadWhole: a checkpoint extended by a hole to 64 MiB (a
// few KiB on disk: a sparse file, as tar can extract) is refused from its
// trailer before the file is read, allocating next to nothing.
func TestSparseFileNotReadWhole(t *testing.T) {
	path := writeSmall(t)
	if err := os.Truncate(path, 64<<20); err != nil {
		t.Skipf("truncate: %v", err)
	}
	_, err := alloctest.Call(t, "Read of a sparse file", 0, 1<<20, func() (*Checkpoint, error) { return Read(path) })
	if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "end marker missing (file is 67108864 bytes)") {
		t.Errorf("Read: %v, want truncated: end marker missing", err)
	}
}
