package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/internal/pycheck"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/modelio"
)

// tinyCheckpoint writes a checkpoint of a small trained-for-one-step model
// (so running statistics and counters are not their initial values) and
// returns its path and tensors.
func tinyCheckpoint(t *testing.T, dir string, enc layers.ResNetConfig, size int) (string, []checkpoint.Tensor) {
	t.Helper()
	b := cpu.New(cpu.Options{})
	cfg := layers.Config{Encoder: enc, Seed: 4}
	m, err := layers.NewModel(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	c := m.Encoder.Config.InChannels
	x := b.New(4, c, size, size)
	defer x.Release()
	v := make([]float32, x.Numel())
	for i := range v {
		v[i] = float32(0.5 + 0.5*math.Sin(float64(i)*0.31))
	}
	b.Upload(x, v)
	if _, _, err := m.Step(x, 0.5); err != nil {
		t.Fatal(err)
	}
	ts, err := modelio.Tensors(m)
	if err != nil {
		t.Fatal(err)
	}
	path, err := checkpoint.Dir{Path: dir}.Save(&checkpoint.Checkpoint{
		Meta: checkpoint.Meta{Arch: modelio.ArchJSONImage(cfg, size), GlobalStep: 1}, Tensors: ts})
	if err != nil {
		t.Fatal(err)
	}
	return path, ts
}

var tinyEnc = layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1.0 / 16, InChannels: 3}

// checkHeader parses a safetensors file by the spec, independently of
// simclr/export: valid JSON, dtypes, contiguous offsets covering the buffer.
func checkHeader(t *testing.T, path string) (map[string]json.RawMessage, map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if (8+n)%8 != 0 || 8+n > uint64(len(raw)) {
		t.Fatalf("header size %d of a %d byte file", n, len(raw))
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		t.Fatalf("header is not JSON: %v", err)
	}
	var meta map[string]string
	if err := json.Unmarshal(hdr["__metadata__"], &meta); err != nil {
		t.Fatalf("metadata: %v", err)
	}
	type entry struct {
		DType   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets [2]int `json:"data_offsets"`
	}
	var es []entry
	for k, v := range hdr {
		if k == "__metadata__" {
			continue
		}
		var e entry
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		size := map[string]int{"F32": 4, "I64": 8}[e.DType]
		if size == 0 {
			t.Fatalf("%s: dtype %s", k, e.DType)
		}
		numel := 1
		for _, d := range e.Shape {
			numel *= d
		}
		if e.Offsets[1]-e.Offsets[0] != numel*size {
			t.Fatalf("%s: offsets %v for %d elements", k, e.Offsets, numel)
		}
		if strings.HasSuffix(k, "num_batches_tracked") && (e.DType != "I64" || len(e.Shape) != 0) {
			t.Errorf("%s: %s %v, want an I64 scalar", k, e.DType, e.Shape)
		}
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Offsets[0] < es[j].Offsets[0] })
	end := 0
	for _, e := range es {
		if e.Offsets[0] != end {
			t.Fatalf("gap or overlap at %d", end)
		}
		end = e.Offsets[1]
	}
	if uint64(end) != uint64(len(raw))-8-n {
		t.Fatalf("tensors cover %d of %d buffer bytes", end, uint64(len(raw))-8-n)
	}
	return hdr, meta
}

// TestExportImportRoundTrip: checkpoint -> export --head -> import gives
// every tensor back bit for bit, and the architecture.
func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	ck, want := tinyCheckpoint(t, filepath.Join(dir, "run"), tinyEnc, 8)
	st := filepath.Join(dir, "enc.safetensors")
	if err := runExport([]string{"--checkpoint", ck, "--out", st, "--head"}); err != nil {
		t.Fatal(err)
	}
	hdr, meta := checkHeader(t, st)
	if len(hdr)-1 != len(want) {
		t.Errorf("%d tensors exported, checkpoint has %d", len(hdr)-1, len(want))
	}
	cfg, size, err := modelio.ParseArchImage([]byte(meta[modelio.MetadataArch]))
	if err != nil || cfg != (layers.Config{Encoder: tinyEnc}).WithDefaults() || size != 8 {
		t.Errorf("metadata arch %q: %+v %d %v", meta[modelio.MetadataArch], cfg, size, err)
	}
	if err := runImport([]string{"--from", st, "--out", filepath.Join(dir, "imported")}); err != nil {
		t.Fatal(err)
	}
	got, err := checkpoint.Load(filepath.Join(dir, "imported"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tensors) != len(want) {
		t.Fatalf("%d tensors imported, want %d", len(got.Tensors), len(want))
	}
	for i, w := range want {
		g := got.Tensors[i]
		if g.Name != w.Name || g.Kind != w.Kind || len(g.Shape) != len(w.Shape) || len(g.Data) != len(w.Data) {
			t.Fatalf("tensor %d: %s %s %v, want %s %s %v", i, g.Name, g.Kind, g.Shape, w.Name, w.Kind, w.Shape)
		}
		for j := range w.Data {
			if math.Float32bits(g.Data[j]) != math.Float32bits(w.Data[j]) {
				t.Fatalf("%s[%d] = %g, want %g", w.Name, j, g.Data[j], w.Data[j])
			}
		}
	}
	if c, s, err := modelio.ParseArchImage(got.Meta.Arch); err != nil || c != cfg || s != 8 {
		t.Errorf("imported arch: %+v %d %v", c, s, err)
	}

	// without --head: encoder names only
	if err := runExport([]string{"--checkpoint", ck, "--out", st}); err != nil {
		t.Fatal(err)
	}
	hdr, _ = checkHeader(t, st)
	for k := range hdr {
		if strings.HasPrefix(k, "head.") {
			t.Errorf("%s exported without --head", k)
		}
	}
	if _, ok := hdr["layer4.1.bn2.running_var"]; !ok {
		t.Error("layer4.1.bn2.running_var missing")
	}
	// flags contradicting the recorded architecture
	if err := runImport([]string{"--from", st, "--out", filepath.Join(dir, "x"), "--arch", "resnet34"}); err == nil ||
		!strings.Contains(err.Error(), "leave the flags out") {
		t.Errorf("contradicting --arch: %v", err)
	}
	if err := runExport([]string{"--checkpoint", ck, "--out", filepath.Join(dir, "enc.bin")}); err == nil {
		t.Error("--out without .safetensors accepted")
	}
}

// TestTorchLoad loads exported encoders into torchvision (width 1) and into
// tools/torch_load_check.py's own ResNet (other widths, 1 input channel,
// ResNet-50) and compares their features on fixed inputs with ours. It needs
// python3 with torch, torchvision and numpy.
func TestTorchLoad(t *testing.T) {
	py := pycheck.Require(t, "the PyTorch cross-check", "torch", "torchvision", "numpy")
	script, err := filepath.Abs("../../tools/torch_load_check.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		enc  layers.ResNetConfig
		size int
	}{
		{"resnet18-w1-cifar", layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1, InChannels: 3}, 8},
		{"resnet18-w1-imagenet-gray", layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemImageNet, Width: 1, InChannels: 1}, 32},
		{"resnet18-w0.0625-gray", layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1.0 / 16, InChannels: 1}, 8},
		{"resnet50-w0.0625", layers.ResNetConfig{Arch: "resnet50", Stem: layers.StemImageNet, Width: 1.0 / 16, InChannels: 3}, 32},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			ck, _ := tinyCheckpoint(t, filepath.Join(dir, "run"), c.enc, c.size)
			st := filepath.Join(dir, "enc.safetensors")
			if err := runExport([]string{"--checkpoint", ck, "--out", st, "--head", "--check-samples", "3"}); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", py.Run(t, script, st))
		})
	}
}
