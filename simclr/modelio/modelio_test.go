package modelio

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/export"
)

func tinyConfig(width float64, seed uint64) layers.Config {
	return layers.Config{
		Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: width, InChannels: 3},
		Seed:    seed,
	}
}

func newModel(t *testing.T, b engine.Backend, cfg layers.Config) *layers.Model {
	t.Helper()
	m, err := layers.NewModel(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Release)
	return m
}

// testImages uploads n 3x8x8 images whose i-th value is fn(i); the caller
// releases them.
func testImages(b engine.Backend, n int, fn func(i float64) float64) *engine.Tensor {
	x := b.New(n, 3, 8, 8)
	v := make([]float32, x.Numel())
	for i := range v {
		v[i] = float32(fn(float64(i)))
	}
	b.Upload(x, v)
	return x
}

// train makes the buffers non-trivial: one step updates the running
// statistics and counters.
func train(t *testing.T, m *layers.Model) {
	t.Helper()
	x := testImages(m.Backend(), 4, func(i float64) float64 { return math.Sin(i * 0.37) })
	defer x.Release()
	if _, _, err := m.Step(x, 0.5); err != nil {
		t.Fatal(err)
	}
}

// trainedTensors builds tinyConfig(1/16, seed) on b, trains it one step
// (train) and returns its configuration, the model and its tensors.
func trainedTensors(t *testing.T, b engine.Backend, seed uint64) (layers.Config, *layers.Model, []checkpoint.Tensor) {
	t.Helper()
	cfg := tinyConfig(1.0/16, seed)
	m := newModel(t, b, cfg)
	train(t, m)
	ts, err := Tensors(m)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, m, ts
}

// writeCheckpoint writes ts with cfg's architecture to a file of this name
// in a new directory and returns its path.
func writeCheckpoint(t *testing.T, name string, cfg layers.Config, ts []checkpoint.Tensor) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := checkpoint.Write(path, &checkpoint.Checkpoint{Meta: checkpoint.Meta{Arch: ArchJSON(cfg)}, Tensors: ts}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestArchRoundTrip(t *testing.T) {
	cfgs := []layers.Config{
		tinyConfig(0.25, 0),
		{Encoder: layers.ResNetConfig{Arch: "resnet50", InChannels: 1}, Head: layers.HeadConfig{Layers: 3, Out: 64, NoBias: true, LastBN: true}},
		{}, // every default
	}
	for _, c := range cfgs {
		raw := ArchJSONImage(c, 32)
		got, size, err := ParseArchImage(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got != c.WithDefaults() || size != 32 {
			t.Errorf("%s: got %+v size %d, want %+v", raw, got, size, c.WithDefaults())
		}
	}
	if c, err := ParseArch([]byte(`{"depth": 50}`)); err != nil || c.Encoder.Arch != "resnet50" || c.Head.Hidden != 2048 {
		t.Errorf("depth only: %+v %v", c, err)
	}
	for _, bad := range []string{``, `{`, `{"arch":"vgg16"}`, `{"arch":"resnet18","depth":50}`, `{"stem":"tiny"}`,
		`{"arch":"resnet18","width":0.5,"feature_dim":512}`, `{"width":-1}`} {
		if _, err := ParseArch([]byte(bad)); err == nil {
			t.Errorf("ParseArch(%q) accepted", bad)
		}
	}
}

// TestCheckpointRoundTrip: Tensors -> checkpoint file -> FromCheckpoint
// gives bit-identical tensors and counters, and the same features.
func TestCheckpointRoundTrip(t *testing.T) {
	b := cpu.New(cpu.Options{})
	cfg, m, ts := trainedTensors(t, b, 3)
	var nParam, nBuf, nCount int
	for _, x := range ts {
		switch {
		case strings.HasSuffix(x.Name, "num_batches_tracked"):
			nCount++
			if x.Kind != checkpoint.KindBuffer || len(x.Shape) != 0 || x.Data[0] != 1 {
				t.Errorf("%s: %+v", x.Name, x)
			}
		case x.Kind == checkpoint.KindParam:
			nParam++
		case x.Kind == checkpoint.KindBuffer:
			nBuf++
		}
	}
	if nParam != len(m.Params()) || nBuf+nCount != len(m.Buffers()) || nCount == 0 {
		t.Errorf("%d params %d buffers %d counters; model has %d params %d buffers", nParam, nBuf, nCount, len(m.Params()), len(m.Buffers()))
	}
	path := writeCheckpoint(t, "m.ckpt", cfg, ts)
	m2, ck, err := FromCheckpoint(b, path)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Release()
	if ck.Path != path || ModelConfig(m2) != ModelConfig(m) {
		t.Errorf("config %+v, want %+v", ModelConfig(m2), ModelConfig(m))
	}
	ts2, err := Tensors(m2)
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, ts2, ts)
	h1, h2 := features(t, m), features(t, m2)
	for i := range h1 {
		if math.Float32bits(h1[i]) != math.Float32bits(h2[i]) {
			t.Fatalf("features differ at %d: %g vs %g", i, h1[i], h2[i])
		}
	}
}

// splitHead splits ts into the encoder's tensors and the projection
// head's ("head.*"), each in ts's order.
func splitHead(ts []checkpoint.Tensor) (enc, head []checkpoint.Tensor) {
	for _, x := range ts {
		if strings.HasPrefix(x.Name, "head.") {
			head = append(head, x)
		} else {
			enc = append(enc, x)
		}
	}
	return enc, head
}

func sameTensors(t *testing.T, got, want []checkpoint.Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Kind != w.Kind || !engine.SameShape(g.Shape, w.Shape) || len(g.Data) != len(w.Data) {
			t.Fatalf("tensor %d: %s %s %v, want %s %s %v", i, g.Name, g.Kind, g.Shape, w.Name, w.Kind, w.Shape)
		}
		for j := range w.Data {
			if math.Float32bits(g.Data[j]) != math.Float32bits(w.Data[j]) {
				t.Fatalf("%s[%d] = %g, want %g", w.Name, j, g.Data[j], w.Data[j])
			}
		}
	}
}

func features(t *testing.T, m *layers.Model) []float32 {
	t.Helper()
	b := m.Backend()
	x := testImages(b, 2, func(i float64) float64 { return math.Cos(i * 0.11) })
	defer x.Release()
	h := b.New(2, m.Encoder.FeatureDim())
	defer h.Release()
	if err := m.Features(h, x); err != nil {
		t.Fatal(err)
	}
	out := make([]float32, h.Numel())
	if err := b.Download(h, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadErrors(t *testing.T) {
	b := cpu.New(cpu.Options{})
	small := newModel(t, b, tinyConfig(1.0/16, 1))
	ts, err := Tensors(small)
	if err != nil {
		t.Fatal(err)
	}
	big := newModel(t, b, tinyConfig(1.0/8, 1))

	// no architecture recorded: the hint guesses the width
	err = Load(big, &checkpoint.Checkpoint{Path: "X", Tensors: ts})
	if err == nil || !strings.Contains(err.Error(), "checkpoint X has conv1.weight (4,3,3,3), model wants (8,3,3,3): trained with --width 0.0625?") {
		t.Errorf("width mismatch: %v", err)
	}
	// architecture recorded: the hint names both
	err = Load(big, &checkpoint.Checkpoint{Path: "X", Tensors: ts, Meta: checkpoint.Meta{Arch: ArchJSON(tinyConfig(1.0/16, 0))}})
	if err == nil || !strings.Contains(err.Error(), "width 0.0625") || !strings.Contains(err.Error(), "width 0.125") {
		t.Errorf("arch mismatch: %v", err)
	}
	// a missing tensor is named
	var cut []checkpoint.Tensor
	for _, x := range ts {
		if x.Name != "layer2.0.bn1.running_var" {
			cut = append(cut, x)
		}
	}
	err = Load(small, &checkpoint.Checkpoint{Path: "X", Tensors: cut})
	if err == nil || !strings.Contains(err.Error(), "lacks 1 tensors the model has: layer2.0.bn1.running_var") {
		t.Errorf("missing tensor: %v", err)
	}
	// resnet34 weights into resnet18: extra tensors named
	r34 := newModel(t, b, layers.Config{Encoder: layers.ResNetConfig{Arch: "resnet34", Stem: layers.StemCIFAR, Width: 1.0 / 16}})
	ts34, err := Tensors(r34)
	if err != nil {
		t.Fatal(err)
	}
	err = Load(small, &checkpoint.Checkpoint{Path: "X", Tensors: ts34})
	if err == nil || !strings.Contains(err.Error(), "tensors the model lacks: layer1.2.conv1.weight") {
		t.Errorf("resnet34 into resnet18: %v", err)
	}
	// grayscale weights into an RGB model
	gray := newModel(t, b, layers.Config{Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1.0 / 16, InChannels: 1}})
	tsg, _ := Tensors(gray)
	err = Load(small, &checkpoint.Checkpoint{Path: "X", Tensors: tsg})
	if err == nil || !strings.Contains(err.Error(), "--in-channels 1?") {
		t.Errorf("channels: %v", err)
	}
	// a failed load leaves the model untouched
	before := features(t, small)
	bad := append([]checkpoint.Tensor(nil), ts...)
	bad[len(bad)-1].Shape = []int{1, 2, 3}
	if err := Load(small, &checkpoint.Checkpoint{Tensors: bad}); err == nil {
		t.Error("bad last shape accepted")
	}
	after := features(t, small)
	for i := range before {
		if before[i] != after[i] {
			t.Fatal("failed Load changed the model")
		}
	}
	// no architecture in the checkpoint file
	path := filepath.Join(t.TempDir(), "noarch.ckpt")
	if err := checkpoint.Write(path, &checkpoint.Checkpoint{Tensors: ts}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := FromCheckpoint(b, path); err == nil || !strings.Contains(err.Error(), "records no architecture") {
		t.Errorf("no arch: %v", err)
	}
}

// TestInitFrom: an encoder-only safetensors file with torchvision names,
// I64 counters, a classifier and a "backbone." prefix initialises the
// encoder bit for bit and leaves the head alone.
func TestInitFrom(t *testing.T) {
	b := cpu.New(cpu.Options{})
	_, _, ts := trainedTensors(t, b, 5)
	enc, _ := splitHead(ts)
	st := export.StateDict(&checkpoint.Checkpoint{Tensors: enc})
	for i := range st {
		st[i].Name = "backbone." + st[i].Name
	}
	st = append(st, export.Tensor{Name: "fc.weight", DType: export.F32, Shape: []int{10, 32}, F32: make([]float32, 320)},
		export.Tensor{Name: "fc.bias", DType: export.F32, Shape: []int{10}, F32: make([]float32, 10)})
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := export.WriteSafetensors(path, st, nil); err != nil {
		t.Fatal(err)
	}
	dst := newModel(t, b, tinyConfig(1.0/16, 9))
	headBefore, _ := Tensors(dst)
	notes, err := InitFromNotes(dst, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 3 || !strings.Contains(notes[1], "fc.bias, fc.weight") || !strings.Contains(notes[2], "no projection head") {
		t.Errorf("notes: %q", notes)
	}
	got, _ := Tensors(dst)
	gotEnc, gotHead := splitHead(got)
	_, wantHead := splitHead(headBefore)
	sameTensors(t, gotEnc, enc)
	sameTensors(t, gotHead, wantHead)

	// a partial head is an error, not a silent mix
	st = append(st, export.Tensor{Name: "head.0.weight", DType: export.F32, Shape: []int{32, 32}, F32: make([]float32, 32*32)})
	for i := range st {
		st[i].Name = strings.TrimPrefix(st[i].Name, "backbone.")
	}
	if err := export.WriteSafetensors(path, st, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := InitFromNotes(dst, path); err == nil || !strings.Contains(err.Error(), "head.0.bias") {
		t.Errorf("partial head: %v", err)
	}
	if _, err := InitFromNotes(dst, filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestInferArch(t *testing.T) {
	b := cpu.New(cpu.Options{})
	for _, cfg := range []layers.Config{
		tinyConfig(1.0/16, 1),
		{Encoder: layers.ResNetConfig{Arch: "resnet34", Stem: layers.StemImageNet, Width: 1.0 / 8, InChannels: 1}},
		{Encoder: layers.ResNetConfig{Arch: "resnet50", Stem: layers.StemCIFAR, Width: 1.0 / 16, InChannels: 3}},
	} {
		m := newModel(t, b, cfg)
		ts, err := Tensors(m)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "w.safetensors")
		if err := export.WriteSafetensors(path, export.StateDict(&checkpoint.Checkpoint{Tensors: ts}), nil); err != nil {
			t.Fatal(err)
		}
		w, _, err := ReadWeights(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.InferArch()
		if err != nil || got != ModelConfig(m) {
			t.Errorf("inferred %+v (%v), want %+v", got, err, ModelConfig(m))
		}
	}
}

// TestInitFromCheckpoint: a simclr-vk checkpoint works as --init-from too,
// head included.
func TestInitFromCheckpoint(t *testing.T) {
	b := cpu.New(cpu.Options{})
	cfg, _, ts := trainedTensors(t, b, 5)
	path := writeCheckpoint(t, "c.ckpt", cfg, ts)
	dst := newModel(t, b, tinyConfig(1.0/16, 8))
	notes, err := InitFromNotes(dst, path)
	if err != nil || len(notes) != 0 {
		t.Fatalf("notes %q, err %v", notes, err)
	}
	got, _ := Tensors(dst)
	sameTensors(t, got, ts)
	other := newModel(t, b, tinyConfig(1.0/8, 8))
	if _, err := InitFromNotes(other, path); err == nil || !strings.Contains(err.Error(), "the weights are resnet18 (cifar stem, width 0.0625") {
		t.Errorf("width mismatch: %v", err)
	}
}
