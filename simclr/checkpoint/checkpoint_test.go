package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sample is a small checkpoint of a run at step; its values are finite
// (Load skips others), see special for the bit patterns.
func sample(step int64) *Checkpoint {
	w := make([]float32, 127*3)
	for i := range w {
		w[i] = float32(math.Sin(float64(i)*0.1+float64(step))) * 3
	}
	w[2] = math.Float32frombits(0x80000000)
	w[3] = math.Float32frombits(1) // denormal
	return &Checkpoint{
		Meta: Meta{
			Config:       json.RawMessage(`{"batch":512,"lr":0.075}`),
			Epoch:        int(step / 10),
			GlobalStep:   step,
			StepInEpoch:  int(step % 10),
			ScheduleStep: step,
			RNG:          []uint64{math.MaxUint64, 42, 1 << 63},
			RNGBytes:     []byte{0, 1, 2, 255},
			Arch:         json.RawMessage(`{"name":"resnet18","cifar_stem":true}`),
			Extra:        map[string]string{"git": "abc123"},
		},
		Tensors: []Tensor{
			{Name: "conv1.weight", Kind: KindParam, Shape: []int{127, 3}, Data: w},
			{Name: "bn1.running_mean", Kind: KindBuffer, Shape: []int{1}, Data: []float32{0.25}},
			{Name: "bn1.num_batches_tracked", Kind: KindBuffer, Shape: []int{}, Data: []float32{float32(step)}},
			{Name: "conv1.weight.momentum", Kind: KindOptim, Shape: []int{127, 3}, Data: append([]float32(nil), w...)},
		},
	}
}

func equal(t *testing.T, got, want *Checkpoint) {
	t.Helper()
	if !reflect.DeepEqual(got.Meta, want.Meta) {
		t.Errorf("meta:\n got %+v\nwant %+v", got.Meta, want.Meta)
	}
	if len(got.Tensors) != len(want.Tensors) {
		t.Fatalf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for i, w := range want.Tensors {
		g := got.Tensors[i]
		if g.Name != w.Name || g.Kind != w.Kind || fmt.Sprint(g.Shape) != fmt.Sprint(w.Shape) || len(g.Data) != len(w.Data) {
			t.Fatalf("tensor %d: got %s %s %v (%d), want %s %s %v (%d)", i, g.Name, g.Kind, g.Shape, len(g.Data), w.Name, w.Kind, w.Shape, len(w.Data))
		}
		for j := range w.Data {
			if math.Float32bits(g.Data[j]) != math.Float32bits(w.Data[j]) {
				t.Fatalf("%s[%d] bits %08x, want %08x", w.Name, j, math.Float32bits(g.Data[j]), math.Float32bits(w.Data[j]))
			}
		}
	}
}

// special is sample with NaN and Inf in a parameter and its optimizer
// state: a file holds them bit for bit.
func special(step int64) *Checkpoint {
	c := sample(step)
	for _, i := range []int{0, 3} {
		c.Tensors[i].Data[0] = float32(math.NaN())
		c.Tensors[i].Data[1] = float32(math.Inf(1))
	}
	return c
}

func TestRoundTripBitForBit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.ckpt")
	c := special(123)
	if err := Write(p, c); err != nil {
		t.Fatal(err)
	}
	got, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, c)
	if got.Path != p {
		t.Errorf("Path = %q", got.Path)
	}
	// empty checkpoint
	if err := Write(p, &Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if e, err := Read(p); err != nil || len(e.Tensors) != 0 {
		t.Fatalf("empty: %v %v", e, err)
	}
}

func TestCorruption(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "good.ckpt")
	if err := Write(p, sample(7)); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(p)
	n := len(good)
	offsets := []int{9, 12, 16, 17, n / 2, n - trailerSize - 1, n - trailerSize, n - trailerSize + 8, n - trailerSize + 16, n - trailerSize + 20, n - 1}
	for _, off := range offsets {
		b := append([]byte(nil), good...)
		b[off] ^= 0x5a
		bad := filepath.Join(dir, fmt.Sprintf("bad-%d.ckpt", off))
		os.WriteFile(bad, b, 0o644)
		_, err := Read(bad)
		if err == nil {
			t.Errorf("flip at offset %d of %d not detected", off, n)
			continue
		}
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("offset %d: error %q does not name the file", off, err)
		}
		known := errors.Is(err, ErrChecksum) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrNewer)
		if !known {
			t.Errorf("offset %d: unclassified error %v", off, err)
		}
	}
	// a flip inside the body is a checksum mismatch
	b := append([]byte(nil), good...)
	b[n/2] ^= 1
	if _, err := Decode(b); !errors.Is(err, ErrChecksum) {
		t.Errorf("body flip: %v, want checksum mismatch", err)
	}
}

func TestTruncation(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t.ckpt")
	Write(p, sample(3))
	good, _ := os.ReadFile(p)
	for _, l := range []int{0, 5, 8, 16, 40, len(good) / 2, len(good) - 1} {
		_, err := Decode(good[:l])
		want := ErrTruncated
		if l < 8 {
			want = ErrForeign
		}
		if !errors.Is(err, want) {
			t.Errorf("truncated to %d of %d: %v, want %v", l, len(good), err, want)
		}
	}
}

func TestForeignAndNewer(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "model.safetensors")
	os.WriteFile(p, []byte("\x10\x00\x00\x00\x00\x00\x00\x00{}              "), 0o644)
	if _, err := Read(p); !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), p) {
		t.Errorf("foreign: %v", err)
	}
	q := filepath.Join(dir, "new.ckpt")
	Write(q, sample(1))
	b, _ := os.ReadFile(q)
	b[8] = Version + 1
	os.WriteFile(q, b, 0o644)
	if _, err := Read(q); !errors.Is(err, ErrNewer) || !strings.Contains(err.Error(), "format 2") {
		t.Errorf("newer: %v", err)
	}
}

func TestKeepLastK(t *testing.T) {
	d := Dir{Path: filepath.Join(t.TempDir(), "ckpts"), Keep: 3}
	for _, s := range []int64{5, 10, 999999, 1000000, 1000005} {
		if _, err := d.Save(sample(s)); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := List(d.Path)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	want := []string{"checkpoint-999999.ckpt", "checkpoint-1000000.ckpt", "checkpoint-1000005.ckpt"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("kept %v, want %v", names, want)
	}
	c, err := Load(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.GlobalStep != 1000005 || len(c.Warnings) != 0 {
		t.Errorf("loaded step %d warnings %v", c.Meta.GlobalStep, c.Warnings)
	}
	equal(t, c, sample(1000005))
	// Keep 0 keeps everything
	all := Dir{Path: filepath.Join(t.TempDir(), "all")}
	for s := int64(1); s <= 4; s++ {
		all.Save(sample(s))
	}
	if fs, _ := List(all.Path); len(fs) != 4 {
		t.Errorf("Keep 0 kept %d", len(fs))
	}
}

func TestCrashLeavesPreviousLoadable(t *testing.T) {
	d := Dir{Path: t.TempDir(), Keep: 2}
	if _, err := d.Save(sample(10)); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash while writing step 20: a partial temporary file.
	full := filepath.Join(t.TempDir(), "x.ckpt")
	Write(full, sample(20))
	b, _ := os.ReadFile(full)
	tmp := filepath.Join(d.Path, tempPrefix+FileName(20)+".123456")
	os.WriteFile(tmp, b[:len(b)/2], 0o644)
	c, err := Load(d.Path)
	if err != nil || c.Meta.GlobalStep != 10 {
		t.Fatalf("after crash: %v, %v", c, err)
	}
	// The next save cleans the leftover and keeps working.
	if _, err := d.Save(sample(30)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("stale temp file not removed: %v", err)
	}
	// A crash after the rename but a corrupt newest file (e.g. disk error):
	// Load falls back to the previous one and says so.
	newest := filepath.Join(d.Path, FileName(30))
	nb, _ := os.ReadFile(newest)
	nb[len(nb)/2] ^= 0xff
	os.WriteFile(newest, nb, 0o644)
	c, err = Load(d.Path)
	if err != nil || c.Meta.GlobalStep != 10 || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], newest) {
		t.Fatalf("fallback: step %v warnings %v err %v", c, c.Warnings, err)
	}
	// Loading the file directly reports the error.
	if _, err := Load(newest); !errors.Is(err, ErrChecksum) {
		t.Errorf("direct load of corrupt file: %v", err)
	}
	// A failing write leaves the previous checkpoint in place.
	bad := sample(10)
	bad.Tensors[0].Shape = []int{5}
	if _, err := d.Save(bad); err == nil {
		t.Fatal("bad tensor accepted")
	}
	if c, err := Read(filepath.Join(d.Path, FileName(10))); err != nil || c.Meta.GlobalStep != 10 {
		t.Errorf("previous checkpoint damaged by a failed save: %v", err)
	}
	ents, _ := os.ReadDir(d.Path)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("failed save left %s", e.Name())
		}
	}
}

func TestLoadEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing path accepted")
	}
}
