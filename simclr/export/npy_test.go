package export

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/internal/pycheck"
)

func TestNpyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f := make([]float32, 13*3)
	for i := range f {
		f[i] = float32(i)/7 - 2
	}
	if err := WriteNpyF32(filepath.Join(dir, "f.npy"), f, 13, 3); err != nil {
		t.Fatal(err)
	}
	l := []int64{0, 9, -1, 1 << 40}
	if err := WriteNpyI64(filepath.Join(dir, "l.npy"), l, 4); err != nil {
		t.Fatal(err)
	}
	a, err := ReadNpy(filepath.Join(dir, "f.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Descr != "<f4" || fmt.Sprint(a.Shape) != "[13 3]" {
		t.Fatalf("got %s %v", a.Descr, a.Shape)
	}
	for i := range f {
		if math.Float32bits(a.F32[i]) != math.Float32bits(f[i]) {
			t.Fatalf("f[%d] = %v, want %v", i, a.F32[i], f[i])
		}
	}
	b, err := ReadNpy(filepath.Join(dir, "l.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Descr != "<i8" || fmt.Sprint(b.Shape) != "[4]" || fmt.Sprint(b.I64) != fmt.Sprint(l) {
		t.Fatalf("got %s %v %v", b.Descr, b.Shape, b.I64)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "f.npy"))
	if hl := int(raw[8]) | int(raw[9])<<8; (10+hl)%64 != 0 || raw[10+hl-1] != '\n' {
		t.Errorf("header length %d: not 64-aligned or not newline-terminated", hl)
	}
	if err := WriteNpyF32(filepath.Join(dir, "x.npy"), f, 4, 3); err == nil {
		t.Error("wrong shape accepted")
	}
	os.WriteFile(filepath.Join(dir, "t.npy"), raw[:len(raw)-3], 0o644)
	if _, err := ReadNpy(filepath.Join(dir, "t.npy")); err == nil || !strings.Contains(err.Error(), "t.npy") {
		t.Errorf("truncated file: %v", err)
	}
}

// TestNpyPython loads the files with python3: with numpy when importable,
// otherwise with a pure-Python parser of the documented format.
func TestNpyPython(t *testing.T) {
	py, numpy := pycheck.Require(t, "the cross-check"), false
	if p, ok := pycheck.With("numpy"); ok {
		py, numpy = p, true
	}
	dir := t.TempDir()
	f := []float32{1.5, -2, 3.25, 0, 1e-7, 6}
	WriteNpyF32(filepath.Join(dir, "f.npy"), f, 2, 3)
	WriteNpyI64(filepath.Join(dir, "l.npy"), []int64{3, 1, 4}, 3)
	var script string
	if numpy {
		script = `
import numpy as np, sys
f = np.load(sys.argv[1]); l = np.load(sys.argv[2])
assert f.dtype == np.float32 and f.shape == (2, 3), (f.dtype, f.shape)
assert l.dtype == np.int64 and l.shape == (3,), (l.dtype, l.shape)
print(repr(f.tolist()), repr(l.tolist()))
`
	} else {
		t.Log("numpy is not importable; checking with a pure-Python .npy parser instead")
		script = `
import ast, struct, sys
def load(p):
    b = open(p, 'rb').read()
    assert b[:6] == b'\x93NUMPY' and b[6] == 1
    n = struct.unpack('<H', b[8:10])[0]
    assert (10 + n) % 64 == 0 and b[10+n-1:10+n] == b'\n'
    h = ast.literal_eval(b[10:10+n].decode('latin1'))
    assert h['fortran_order'] is False
    cnt = 1
    for d in h['shape']: cnt *= d
    fmt = {'<f4': 'f', '<i8': 'q'}[h['descr']]
    body = b[10+n:]
    assert len(body) == cnt * struct.calcsize(fmt)
    return h, list(struct.unpack('<%d%s' % (cnt, fmt), body))
hf, f = load(sys.argv[1]); hl, l = load(sys.argv[2])
assert hf['shape'] == (2, 3) and hl['shape'] == (3,), (hf, hl)
print(repr(f), repr(l))
`
	}
	got := strings.TrimSpace(py.Run(t, "-c", script, filepath.Join(dir, "f.npy"), filepath.Join(dir, "l.npy")))
	wantF := "[[1.5, -2.0, 3.25], [0.0, 1.0000000116860974e-07, 6.0]]"
	if !strings.Contains(got, "[3, 1, 4]") || !(strings.HasPrefix(got, wantF) || strings.HasPrefix(got, "[1.5, -2.0, 3.25, 0.0, 1.0000000116860974e-07, 6.0]")) {
		t.Errorf("python3 read %s", got)
	}
}
