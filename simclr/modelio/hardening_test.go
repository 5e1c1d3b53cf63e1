package modelio

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"simclr-vk/engine/cpu"
	"simclr-vk/internal/alloctest"
	"simclr-vk/internal/filetest"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/export"
)

// TestStateSize: StateSize counts exactly the values Tensors downloads
// from built models of every architecture, stem and head variant.
func TestStateSize(t *testing.T) {
	b := cpu.New(cpu.Options{})
	w := 1.0 / 16
	for _, cfg := range []layers.Config{
		tinyConfig(w, 1),
		tinyConfig(0.3, 1),
		{Encoder: layers.ResNetConfig{Arch: "resnet34", Stem: layers.StemImageNet, Width: w, InChannels: 1}},
		{Encoder: layers.ResNetConfig{Arch: "resnet50", Stem: layers.StemCIFAR, Width: w, InChannels: 5},
			Head: layers.HeadConfig{Layers: 3, Hidden: 24, Out: 7, NoBias: true, LastBN: true}},
		{Encoder: layers.ResNetConfig{Arch: "resnet18", Width: 1.0 / 128}, Head: layers.HeadConfig{Layers: 1, Out: 3}},
		{Encoder: layers.ResNetConfig{Arch: "resnet18", Width: w}, Head: layers.HeadConfig{Layers: 4, Hidden: 9, NoBN: true}},
	} {
		m := newModel(t, b, cfg)
		ts, err := Tensors(m)
		if err != nil {
			t.Fatal(err)
		}
		var enc, head int64
		for _, x := range ts {
			if strings.HasPrefix(x.Name, "head.") {
				head += int64(len(x.Data))
			} else {
				enc += int64(len(x.Data))
			}
		}
		if e, h := StateSize(cfg); e != enc || h != head {
			t.Errorf("%s: StateSize %d + %d, the model has %d + %d", Describe(cfg), e, h, enc, head)
		}
	}
}

// TestArchRanges: ParseArch refuses fields outside the documented ranges
// and accepts their ends.
func TestArchRanges(t *testing.T) {
	for _, bad := range []string{`{"depth":18,"width":1e6}`, `{"depth":18,"width":8.01}`, `{"depth":18,"in_channels":257}`, `{"depth":18,"in_channels":-3}`,
		`{"depth":18,"image_size":100000}`, `{"depth":18,"head":{"layers":9}}`, `{"depth":18,"head":{"hidden":1000000000}}`, `{"depth":18,"head":{"out":65537}}`} {
		if _, err := ParseArch([]byte(bad)); err == nil || !strings.Contains(err.Error(), "outside") {
			t.Errorf("ParseArch(%s): %v, want a range error", bad, err)
		}
	}
	for _, ok := range []string{`{"depth":50,"width":8,"in_channels":256,"image_size":8192,"head":{"layers":8,"hidden":65536,"out":65536}}`, `{"depth":18,"width":0.001}`} {
		if _, err := ParseArch([]byte(ok)); err != nil {
			t.Errorf("ParseArch(%s): %v", ok, err)
		}
	}
}

// TestArchLargerThanFile: a description asking for a model larger than
// the file's values (one edited field in a small checkpoint or export) is
// refused before a model is built, with little allocated.
func TestArchLargerThanFile(t *testing.T) {
	b := cpu.New(cpu.Options{})
	small := tinyConfig(1.0/16, 1)
	m := newModel(t, b, small)
	ts, err := Tensors(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wide := tinyConfig(2, 0) // 45M parameters, from a 0.2 MB file
	ck := filepath.Join(dir, "wide.ckpt")
	if err := checkpoint.Write(ck, &checkpoint.Checkpoint{Meta: checkpoint.Meta{Arch: ArchJSON(wide)}, Tensors: ts}); err != nil {
		t.Fatal(err)
	}
	var fromErr, readErr error
	alloctest.Max(t, "FromCheckpoint", 0, 64<<20, func() { _, _, fromErr = FromCheckpoint(b, ck) })
	alloctest.Max(t, "ReadWeights", 0, 64<<20, func() { _, _, readErr = ReadWeights(ck) })
	st := filepath.Join(dir, "wide.safetensors")
	enc := export.StateDict(&checkpoint.Checkpoint{Tensors: ts})
	var encOnly []export.Tensor
	for _, x := range enc {
		if !strings.HasPrefix(x.Name, "head.") {
			encOnly = append(encOnly, x)
		}
	}
	if err := export.WriteSafetensors(st, encOnly, map[string]string{MetadataArch: string(ArchJSON(wide))}); err != nil {
		t.Fatal(err)
	}
	_, _, stErr := ReadWeights(st)
	for what, err := range map[string]error{"FromCheckpoint": fromErr, "ReadWeights(checkpoint)": readErr, "ReadWeights(safetensors)": stErr} {
		if err == nil || !strings.Contains(err.Error(), "damaged architecture description") || !strings.Contains(err.Error(), "width 2") {
			t.Errorf("%s: %v", what, err)
		}
	}
	// A head the file lacks may not dwarf the encoder.
	bigHead := small
	bigHead.Head = layers.HeadConfig{Layers: 8, Hidden: 65536}
	if err := export.WriteSafetensors(st, encOnly, map[string]string{MetadataArch: string(ArchJSON(bigHead))}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadWeights(st); err == nil || !strings.Contains(err.Error(), "has a head of") {
		t.Errorf("huge head: %v", err)
	}
	// The real description passes.
	if err := export.WriteSafetensors(st, encOnly, map[string]string{MetadataArch: string(ArchJSON(small))}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadWeights(st); err != nil {
		t.Errorf("matching description: %v", err)
	}
}

// TestInferArchBounds: a conv1 implying a huge model is refused.
func TestInferArchBounds(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		shape []int
		want  string
	}{
		{[]int{4096, 3, 3, 3}, "outside"},             // width 64
		{[]int{64, 1000, 3, 3}, "outside"},            // 1000 input channels
		{[]int{512, 3, 3, 3}, "damaged architecture"}, // width 8 from 14k values
	} {
		n, _ := checkpoint.Numel(tc.shape)
		p := filepath.Join(dir, fmt.Sprint(tc.shape[0], tc.shape[1])+".safetensors")
		x := export.Tensor{Name: "conv1.weight", DType: export.F32, Shape: tc.shape, F32: make([]float32, n)}
		if err := export.WriteSafetensors(p, []export.Tensor{x}, nil); err != nil {
			t.Fatal(err)
		}
		w, _, err := ReadWeights(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.InferArch(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("conv1 %v: %v, want %q", tc.shape, err, tc.want)
		}
	}
}

// FuzzParseArch: any description gives an error or a configuration within
// the documented ranges that ArchJSONImage writes back to the same
// configuration, never a panic, and little allocation.
func FuzzParseArch(f *testing.F) {
	f.Add([]byte(ArchJSONImage(tinyConfig(0.25, 0), 32)))
	f.Add([]byte(`{"depth":50,"stem":"imagenet","head":{"layers":3,"hidden":64,"out":16,"last_bn":true}}`))
	f.Add([]byte(`{"arch":"resnet34","width":8,"in_channels":256,"image_size":8192}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cfg layers.Config
		var size int
		var err error
		alloctest.Max(t, "ParseArchImage", len(raw), alloctest.Linear(len(raw), 64, 1<<20), func() { cfg, size, err = ParseArchImage(raw) })
		if err != nil {
			return
		}
		e, h := cfg.Encoder, cfg.Head
		if !(e.Width > 0 && e.Width <= MaxWidth) || e.InChannels < 1 || e.InChannels > MaxInChannels || size < 0 || size > MaxImageSize ||
			h.Layers < 1 || h.Layers > MaxHeadLayers || h.Hidden < 1 || h.Hidden > MaxHeadDim || h.Out < 1 || h.Out > MaxHeadDim {
			t.Fatalf("%s parsed to %+v, size %d: outside the ranges", raw, cfg, size)
		}
		if enc, head := StateSize(cfg); enc <= 0 || head <= 0 {
			t.Fatalf("%s: StateSize %d, %d", raw, enc, head)
		}
		back, size2, err := ParseArchImage(ArchJSONImage(cfg, size))
		if err != nil || back != cfg || size2 != size {
			t.Fatalf("%s: %+v does not round-trip: %+v %d %v", raw, cfg, back, size2, err)
		}
		if !json.Valid(ArchJSON(cfg)) {
			t.Fatal("ArchJSON not valid JSON")
		}
	})
}

// TestReadWeightsFIFO: a FIFO is refused, not opened (which would block).
func TestReadWeightsFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.safetensors")
	filetest.FIFO(t, p)
	var err error
	filetest.Returns(t, 10*time.Second, "ReadWeights of a FIFO", func() { _, _, err = ReadWeights(p) })
	if err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.Contains(err.Error(), p) {
		t.Errorf("FIFO: %v", err)
	}
}

// TestFromCheckpointNonFinite: a checkpoint file holding NaN loads with a
// warning naming it and the tensor.
func TestFromCheckpointNonFinite(t *testing.T) {
	b := cpu.New(cpu.Options{})
	cfg := tinyConfig(1.0/16, 1)
	ts, err := Tensors(newModel(t, b, cfg))
	if err != nil {
		t.Fatal(err)
	}
	ts[0].Data[2] = float32(math.Inf(1))
	p := writeCheckpoint(t, "inf.ckpt", cfg, ts)
	m, ck, err := FromCheckpoint(b, p)
	if err != nil {
		t.Fatal(err)
	}
	m.Release()
	if len(ck.Warnings) != 1 || !strings.Contains(ck.Warnings[0], p+": checkpoint holds NaN or Inf values: param "+ts[0].Name+"[2] = +Inf") {
		t.Errorf("warnings %q", ck.Warnings)
	}
}
