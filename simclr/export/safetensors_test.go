package export

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/internal/alloctest"
	"simclr-vk/internal/pycheck"
	"simclr-vk/simclr/checkpoint"
)

func sampleTensors() []Tensor {
	w := make([]float32, 3*13)
	for i := range w {
		w[i] = float32(i)*0.37 - 5
	}
	w[0] = float32(math.Inf(-1))
	w[1] = math.Float32frombits(0x80000000) // -0 must survive bit for bit
	return []Tensor{
		{Name: "encoder.conv1.weight", DType: F32, Shape: []int{3, 13}, F32: w},
		{Name: "bn1.num_batches_tracked", DType: I64, Shape: []int{}, I64: []int64{123456789012}},
		{Name: "a.bias", DType: F32, Shape: []int{1}, F32: []float32{2.5}},
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	meta := map[string]string{"format": "pt", "arch": `{"name":"resnet18","cifar_stem":true}`}
	in := sampleTensors()
	if err := WriteSafetensors(path, in, meta); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tensors) != 3 || s.Metadata["arch"] != meta["arch"] || s.Metadata["format"] != "pt" {
		t.Fatalf("got %d tensors, metadata %v", len(s.Tensors), s.Metadata)
	}
	// sorted by name, data in the same order
	want := []string{"a.bias", "bn1.num_batches_tracked", "encoder.conv1.weight"}
	for i, n := range want {
		if s.Tensors[i].Name != n {
			t.Errorf("tensor %d is %q, want %q", i, s.Tensors[i].Name, n)
		}
	}
	for _, x := range in {
		g := s.Get(x.Name)
		if g == nil || g.DType != x.DType || len(g.Shape) != len(x.Shape) {
			t.Fatalf("%s: got %+v", x.Name, g)
		}
		for i := range x.F32 {
			if math.Float32bits(g.F32[i]) != math.Float32bits(x.F32[i]) {
				t.Errorf("%s[%d] = %v, want %v", x.Name, i, g.F32[i], x.F32[i])
			}
		}
		for i := range x.I64 {
			if g.I64[i] != x.I64[i] {
				t.Errorf("%s[%d] = %v, want %v", x.Name, i, g.I64[i], x.I64[i])
			}
		}
	}
}

func TestSafetensorsHeaderLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeSafetensors(&buf, sampleTensors(), map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b)
	if (8+n)%8 != 0 {
		t.Errorf("8 + header length %d not 8-aligned", n)
	}
	h := b[8 : 8+n]
	if !json.Valid(h) {
		t.Fatalf("header not valid JSON: %s", h)
	}
	if strings.TrimRight(string(h), " ") != strings.TrimSpace(string(h)) || h[0] != '{' {
		t.Errorf("header padding must be trailing spaces: %q", h)
	}
	var m map[string]json.RawMessage
	json.Unmarshal(h, &m)
	var e struct {
		DType       string  `json:"dtype"`
		Shape       []int   `json:"shape"`
		DataOffsets []int64 `json:"data_offsets"`
	}
	json.Unmarshal(m["bn1.num_batches_tracked"], &e)
	if e.DType != "I64" || e.Shape == nil || len(e.Shape) != 0 || e.DataOffsets[1]-e.DataOffsets[0] != 8 {
		t.Errorf("scalar I64 entry: %s", m["bn1.num_batches_tracked"])
	}
	if int(n)+8+4+8+4*39 != len(b) {
		t.Errorf("file is %d bytes, want %d", len(b), int(n)+8+4+8+4*39)
	}
}

// build a file from a raw header string and buffer.
func raw(header string, buffer []byte) []byte {
	var b bytes.Buffer
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	b.Write(n[:])
	b.WriteString(header)
	b.Write(buffer)
	return b.Bytes()
}

func TestSafetensorsRejectsBadFiles(t *testing.T) {
	good := raw(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8))
	if _, err := DecodeSafetensors(good); err != nil {
		t.Fatalf("good file rejected: %v", err)
	}
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "shorter than"},
		{"huge header", huge, "limit"},
		{"header past end", good[:20], "exceeds"},
		{"not json", raw(`{"x":`, nil), "not valid JSON"},
		{"not object", raw(`["x"]`, nil), "'{'"},
		{"trailing junk", raw(`{} x`, nil), "trailing"},
		{"dtype", raw(`{"x":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}`, make([]byte, 2)), "unsupported dtype"},
		{"F16 size", raw(`{"x":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}}`, make([]byte, 4)), "F16 shape [3] needs 6 bytes"},
		{"F64 beyond float32", raw(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`, append(make([]byte, 8), f64bytes(1e300)...)), `tensor "x": F64 value 1e+300 at index 1 rounds beyond float32's range`},
		{"F64 rounding midpoint", raw(`{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, f64bytes(-0x1.ffffffp127)), `F64 value -3.4028235677973366e+38 at index 0 rounds beyond`},
		{"size mismatch", raw(`{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), "needs 12 bytes"},
		{"gap", raw(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "not contiguous"},
		{"overlap", raw(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "not contiguous"},
		{"out of bounds", raw(`{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, make([]byte, 8)), "out of"},
		{"trailing data", raw(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 8)), "trailing or truncated"},
		{"duplicate", raw(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "duplicate"},
		{"metadata not strings", raw(`{"__metadata__":{"a":1}}`, nil), "__metadata__"},
		{"unknown field", raw(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}`, make([]byte, 4)), "bad header entry"},
		// shape [4, 2^62] wrapped to 0 elements and was accepted with no data
		{"overflowing shape", raw(`{"x":{"dtype":"F32","shape":[4,4611686018427387904],"data_offsets":[0,0]}}`, nil), "overflows"},
		{"overflow past zero", raw(`{"x":{"dtype":"I64","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}}`, nil), "overflows"},
		{"negative dim", raw(`{"x":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}`, make([]byte, 16)), "negative dimension"},
		{"shape beyond buffer", raw(`{"x":{"dtype":"I64","shape":[3],"data_offsets":[0,16]}}`, make([]byte, 16)), "needs 24 bytes, data_offsets give 16"},
		{"huge shape", raw(`{"x":{"dtype":"I64","shape":[2305843009213693952],"data_offsets":[0,16]}}`, make([]byte, 16)), "needs 2305843009213693952*8 bytes"},
		{"negative offsets", raw(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, make([]byte, 4)), "not contiguous"},
		{"empty name", raw(`{"":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), "empty tensor name"},
	}
	for _, c := range cases {
		_, err := DecodeSafetensors(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want mention of %q", c.name, err, c.want)
		}
	}
	// file errors name the file
	p := filepath.Join(t.TempDir(), "bad.safetensors")
	os.WriteFile(p, []byte("nope"), 0o644)
	if _, err := ReadSafetensors(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v does not name %s", err, p)
	}
	d := t.TempDir()
	if _, err := ReadSafetensors(d); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	// A large file of another kind is refused from its first 8 bytes.
	big := filepath.Join(d, "data.bin")
	f, _ := os.Create(big)
	f.Write([]byte("\x93NUMPY\x01\x00"))
	f.Truncate(256 << 20) // sparse
	f.Close()
	_, err := alloctest.Call(t, "ReadSafetensors", 0, 1<<20, func() (*Safetensors, error) { return ReadSafetensors(big) })
	if err == nil || !strings.Contains(err.Error(), "limit (not a safetensors file?)") || !strings.Contains(err.Error(), big) {
		t.Errorf("large foreign file: %v", err)
	}
	// An empty tensor with a large dimension is valid (no overflow).
	s, err := DecodeSafetensors(raw(`{"e":{"dtype":"F32","shape":[0,1099511627776],"data_offsets":[0,0]}}`, nil))
	if err != nil || len(s.Tensors) != 1 || len(s.Tensors[0].F32) != 0 {
		t.Errorf("empty tensor: %v", err)
	}
}

// FuzzDecodeSafetensors: any image gives an error or tensors whose data
// match their shapes, never a panic, and at most 64 bytes allocated per
// input byte plus 1 MiB (the tensors are at most twice the buffer; JSON
// decoding of the header is the rest).
func FuzzDecodeSafetensors(f *testing.F) {
	var buf bytes.Buffer
	if err := EncodeSafetensors(&buf, sampleTensors(), map[string]string{"simclr_vk_arch": `{"arch":"resnet18"}`}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(raw(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(raw(`{"__metadata__":{"a":"b"},"x":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(raw(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},"d":{"dtype":"F64","shape":[1],"data_offsets":[6,14]}}`, make([]byte, 14)))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := alloctest.Call(t, "DecodeSafetensors", len(b), alloctest.Linear(len(b), 64, 1<<20), func() (*Safetensors, error) { return DecodeSafetensors(b) })
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, x := range s.Tensors {
			n, err := checkpoint.Numel(x.Shape)
			if err != nil || seen[x.Name] || x.Name == "" || (x.DType != I64 && len(x.F32) != n) || (x.DType == I64 && len(x.I64) != n) {
				t.Fatalf("tensor %q: %s shape %v with %d/%d values (numel %d, %v)", x.Name, x.DType, x.Shape, len(x.F32), len(x.I64), n, err)
			}
			seen[x.Name] = true
		}
	})
}

func f64bytes(v float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))
}

// TestSafetensorsReadsHalfAndDouble: F16, BF16 and F64 tensors (weights
// saved from a model in half precision, bfloat16 or float64) read as
// float32 values, exactly for F16 and BF16 (normal, subnormal, signed
// zero, infinities, NaN), rounded to nearest for F64, keeping their DType.
func TestSafetensorsReadsHalfAndDouble(t *testing.T) {
	f16 := []uint16{0x3c00, 0xc000, 0x0001, 0x8000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x3555}
	f16want := []float32{1, -2, 0x1p-24, float32(math.Copysign(0, -1)), 65504, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0.333251953125}
	bf16want := []float32{1, -2.5, 0x1p-133, float32(math.Copysign(0, -1)), 3.3895314e38, float32(math.Inf(1)), 0.333984375}
	f64 := []float64{1, 1.0 / 3, -1e-40, 3.4028234663852886e38, math.Inf(-1), 1e-50, math.NaN(), math.Inf(1), 0x1.fffffefffffffp127, -0x1.fffffefp127}
	var buf []byte
	for _, h := range f16 {
		buf = binary.LittleEndian.AppendUint16(buf, h)
	}
	for _, v := range bf16want {
		buf = binary.LittleEndian.AppendUint16(buf, uint16(math.Float32bits(v)>>16))
	}
	for _, v := range f64 {
		buf = append(buf, f64bytes(v)...)
	}
	header := fmt.Sprintf(`{"a":{"dtype":"F16","shape":[3,3],"data_offsets":[0,18]},"b":{"dtype":"BF16","shape":[7],"data_offsets":[18,32]},"c":{"dtype":"F64","shape":[10],"data_offsets":[32,%d]}}`, len(buf))
	s, err := DecodeSafetensors(raw(header, buf))
	if err != nil {
		t.Fatal(err)
	}
	f64want := make([]float32, len(f64))
	for i, v := range f64[:8] {
		f64want[i] = float32(v)
	}
	// Past the largest float32 but short of the rounding midpoint.
	f64want[8], f64want[9] = math.MaxFloat32, -math.MaxFloat32
	for i, want := range [][]float32{f16want, bf16want, f64want} {
		x := s.Tensors[i]
		if x.DType != []string{F16, BF16, F64}[i] || x.I64 != nil || len(x.F32) != len(want) {
			t.Fatalf("%s: %s %v, %d values", x.Name, x.DType, x.Shape, len(x.F32))
		}
		for j, v := range x.F32 {
			if math.Float32bits(v) != math.Float32bits(want[j]) && !(v != v && want[j] != want[j]) {
				t.Errorf("%s[%d] = %g (%#08x), want %g (%#08x)", x.Name, j, v, math.Float32bits(v), want[j], math.Float32bits(want[j]))
			}
		}
	}
	// Widening allocates the float32 values, twice the 16-bit data, and
	// little else.
	const n = 1 << 20
	big := raw(fmt.Sprintf(`{"h":{"dtype":"F16","shape":[%d],"data_offsets":[0,%d]}}`, n, 2*n), make([]byte, 2*n))
	if _, err := alloctest.Call(t, "DecodeSafetensors F16", len(big), alloctest.Linear(len(big), 2, 64<<10), func() (*Safetensors, error) { return DecodeSafetensors(big) }); err != nil {
		t.Fatal(err)
	}
	// The writer still takes F32 and I64 only.
	if err := EncodeSafetensors(io.Discard, s.Tensors[:1], nil); err == nil || !strings.Contains(err.Error(), "unsupported dtype") {
		t.Errorf("writing an F16 tensor: %v", err)
	}
}

func TestSafetensorsWriterChecks(t *testing.T) {
	var buf bytes.Buffer
	bad := [][]Tensor{
		{{Name: "x", DType: F32, Shape: []int{2}, F32: []float32{1}}},
		{{Name: "x", DType: "BF16", Shape: []int{1}}},
		{{Name: "__metadata__", DType: F32, Shape: []int{1}, F32: []float32{1}}},
		{{Name: "x", DType: F32, Shape: []int{1}, F32: []float32{1}}, {Name: "x", DType: F32, Shape: []int{1}, F32: []float32{1}}},
	}
	for i, ts := range bad {
		if err := EncodeSafetensors(&buf, ts, nil); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
}

func TestStateDict(t *testing.T) {
	c := &checkpoint.Checkpoint{Tensors: []checkpoint.Tensor{
		{Name: "conv1.weight", Kind: checkpoint.KindParam, Shape: []int{2, 1}, Data: []float32{1, -2}},
		{Name: "bn1.running_var", Kind: checkpoint.KindBuffer, Shape: []int{1}, Data: []float32{0.5}},
		{Name: "bn1.num_batches_tracked", Kind: checkpoint.KindBuffer, Shape: []int{}, Data: []float32{4096}},
		{Name: "conv1.weight.momentum", Kind: checkpoint.KindOptim, Shape: []int{2, 1}, Data: []float32{0, 0}},
	}}
	sd := StateDict(c)
	if len(sd) != 3 {
		t.Fatalf("%d tensors, want 3 (optimizer state left out)", len(sd))
	}
	if sd[2].DType != I64 || sd[2].I64[0] != 4096 || len(sd[2].Shape) != 0 {
		t.Errorf("num_batches_tracked: %+v", sd[2])
	}
	if sd[0].DType != F32 || sd[0].F32[1] != -2 || sd[1].F32[0] != 0.5 {
		t.Errorf("params: %+v", sd[:2])
	}
	var buf bytes.Buffer
	if err := EncodeSafetensors(&buf, sd, nil); err != nil {
		t.Fatal(err)
	}
}

// TestSafetensorsPython parses a written file with python3's json and
// struct modules, following the spec independently of the Go reader.
func TestSafetensorsPython(t *testing.T) {
	py := pycheck.Require(t, "the cross-check")
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := WriteSafetensors(path, sampleTensors(), map[string]string{"arch": `{"name":"resnet18"}`}); err != nil {
		t.Fatal(err)
	}
	script := `
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8+n].decode('utf-8'))
assert (8 + n) % 8 == 0
buf = b[8+n:]
meta = h.pop('__metadata__')
assert json.loads(meta['arch'])['name'] == 'resnet18'
ends = 0
for name, e in sorted(h.items(), key=lambda kv: kv[1]['data_offsets'][0]):
    s, t = e['data_offsets']
    assert s == ends, (name, s, ends)
    ends = t
    cnt = 1
    for d in e['shape']: cnt *= d
    fmt = {'F32': 'f', 'I64': 'q'}[e['dtype']]
    assert t - s == cnt * struct.calcsize(fmt)
    v = struct.unpack('<%d%s' % (cnt, fmt), buf[s:t])
    print(name, e['dtype'], e['shape'], v[-1])
assert ends == len(buf)
`
	out := py.Run(t, "-c", script, path)
	want := "a.bias F32 [1] 2.5\nbn1.num_batches_tracked I64 [] 123456789012\nencoder.conv1.weight F32 [3, 13] 9.06000"
	if !strings.HasPrefix(strings.TrimSpace(out), want) {
		t.Errorf("python3 read:\n%s\nwant prefix:\n%s", out, want)
	}
}

// TestReadSafetensorsSparse: a valid file extended by a hole (a sparse
// file, a few KiB on disk) is refused from its header, which does not cover
// the rest, before the file is read whole.
func TestReadSafetensorsSparse(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.safetensors")
	if err := WriteSafetensors(p, []Tensor{{Name: "w", DType: F32, Shape: []int{2}, F32: []float32{1, 2}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSafetensors(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, 64<<20); err != nil {
		t.Skipf("truncate: %v", err)
	}
	_, err := alloctest.Call(t, "ReadSafetensors", 0, 1<<20, func() (*Safetensors, error) { return ReadSafetensors(p) })
	if err == nil || !strings.Contains(err.Error(), "but tensors cover 8 (trailing or truncated data)") {
		t.Errorf("sparse file: %v", err)
	}
}
