package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/export"
	"simclr-vk/simclr/modelio"
	"simclr-vk/simclr/npy"
)

// writeNpyU8 writes a uint8 .npy array (the image format data.OpenNpy reads).
func writeNpyU8(t *testing.T, path string, pix []uint8, shape ...int) {
	t.Helper()
	b := append(npy.EncodeHeader("|u1", shape), pix...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// colourData writes an npy dataset of size x size images with c channels in
// 4 classes told apart by colour (0 red, 1 green, 2 blue, 3 gray); labels
// are written unless noLabels.
func colourData(t *testing.T, dir string, c, size, nTrain, nTest int, noLabels bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, split := range []struct {
		name string
		n    int
	}{{"train", nTrain}, {"test", nTest}} {
		pix := make([]uint8, split.n*size*size*c)
		labels := make([]int64, split.n)
		for i := range split.n {
			k := (i * 7) % 4
			labels[i] = int64(k)
			for p := range size * size {
				for ch := range c {
					v := 40
					if k == 3 || ch == k || c == 1 && k%2 == 1 {
						v = 170
					}
					pix[(i*size*size+p)*c+ch] = uint8(v + (i*31+p*17+ch*5)%21 - 10)
				}
			}
		}
		writeNpyU8(t, filepath.Join(dir, split.name+"_images.npy"), pix, split.n, size, size, c)
		if !noLabels {
			if err := export.WriteNpyI64(filepath.Join(dir, split.name+"_labels.npy"), labels, split.n); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestEvalCommands runs eval knn, eval linear, embed and finetune end to end
// on a tiny checkpoint and a colour-separable dataset.
func TestEvalCommands(t *testing.T) {
	dir := t.TempDir()
	ck, _ := tinyCheckpoint(t, filepath.Join(dir, "run"), tinyEnc, 8)
	ds := filepath.Join(dir, "data")
	colourData(t, ds, 3, 8, 96, 40, false)
	common := []string{"--checkpoint", ck, "--data", ds, "--backend", "cpu", "--batch", "32"}

	knnOut := filepath.Join(dir, "knn.json")
	if err := runEvalKNN(append(common, "--k", "10", "--out", knnOut)); err != nil {
		t.Fatal(err)
	}
	var kr knnResult
	readJSON(t, knnOut, &kr)
	if kr.TestN != 40 || kr.BankN != 96 || kr.Top1 < 0.9 {
		t.Errorf("knn: %+v", kr)
	}

	linOut := filepath.Join(dir, "out", "linear.json")
	if err := runEvalLinear(append(common, "--epochs", "15", "--lr", "0.5", "--out", linOut)); err != nil {
		t.Fatal(err)
	}
	var lr linearResult
	readJSON(t, linOut, &lr)
	if lr.TestTop1 < 0.9 || lr.TrainN != 96 || lr.Epochs != 15 || lr.Checkpoint != ck {
		t.Errorf("linear: %+v", lr)
	}

	feats := filepath.Join(dir, "emb", "features.npy")
	if err := runEmbed(append(common, "--split", "train", "--out", feats)); err != nil {
		t.Fatal(err)
	}
	f, err := export.ReadNpy(feats)
	if err != nil {
		t.Fatal(err)
	}
	l, err := export.ReadNpy(filepath.Join(dir, "emb", "labels.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Descr != "<f4" || len(f.Shape) != 2 || f.Shape[0] != 96 || f.Shape[1] != 32 || l.Descr != "<i8" || l.Shape[0] != 96 || l.I64[5] != (5*7)%4 {
		t.Errorf("embed: features %s %v, labels %s %v", f.Descr, f.Shape, l.Descr, l.Shape)
	}

	ft := filepath.Join(dir, "ft")
	if err := runFinetune(append(common, "--label-fraction", "0.5", "--epochs", "2", "--from-stage", "4", "--out", ft)); err != nil {
		t.Fatal(err)
	}
	var fr finetuneResult
	readJSON(t, filepath.Join(ft, "finetune.json"), &fr)
	if fr.LabeledN != 48 || fr.FromStage != 4 || fr.Source != ck {
		t.Errorf("finetune: %+v", fr)
	}
	fck, err := checkpoint.Load(ft)
	if err != nil {
		t.Fatal(err)
	}
	if w := fck.Get("fc.weight"); w == nil || w.Shape[0] != 4 || w.Shape[1] != 32 {
		t.Errorf("fine-tuned checkpoint classifier: %+v", w)
	}
	// the fine-tuned checkpoint is a checkpoint like any other
	if err := runEvalKNN([]string{"--checkpoint", ft, "--data", ds, "--backend", "cpu", "--k", "5"}); err != nil {
		t.Errorf("knn on the fine-tuned checkpoint: %v", err)
	}
	// --init-from torchvision-named weights
	st := filepath.Join(dir, "enc.safetensors")
	if err := runExport([]string{"--checkpoint", ck, "--out", st}); err != nil {
		t.Fatal(err)
	}
	if err := runFinetune([]string{"--init-from", st, "--data", ds, "--backend", "cpu", "--batch", "32", "--epochs", "1", "--out", filepath.Join(dir, "ft2")}); err != nil {
		t.Errorf("finetune --init-from: %v", err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestEvalBadInputs: clear errors for a checkpoint whose tensors do not
// match its architecture, data of another size or channel count, and
// missing labels.
func TestEvalBadInputs(t *testing.T) {
	dir := t.TempDir()
	ck, ts := tinyCheckpoint(t, filepath.Join(dir, "run"), tinyEnc, 8)
	run := func(ckPath, data string, extra ...string) error {
		return runEvalKNN(append([]string{"--checkpoint", ckPath, "--data", data, "--backend", "cpu"}, extra...))
	}
	// a checkpoint claiming resnet34 but holding resnet18 tensors
	lie := filepath.Join(dir, "lie.ckpt")
	cfg34 := layers.Config{Encoder: layers.ResNetConfig{Arch: "resnet34", Stem: layers.StemCIFAR, Width: 1.0 / 16}}
	if err := checkpoint.Write(lie, &checkpoint.Checkpoint{Meta: checkpoint.Meta{Arch: modelio.ArchJSON(cfg34)}, Tensors: ts}); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good")
	colourData(t, good, 3, 8, 8, 8, false)
	if err := run(lie, good); err == nil || !strings.Contains(err.Error(), "lacks") || !strings.Contains(err.Error(), "layer1.2.conv1.weight") {
		t.Errorf("architecture mismatch: %v", err)
	}
	// weights of another width under --init-from
	b := cpu.New(cpu.Options{})
	wide, err := layers.NewModel(b, layers.Config{Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1.0 / 8}})
	if err != nil {
		t.Fatal(err)
	}
	wts, _ := modelio.Tensors(wide)
	wide.Release()
	st := filepath.Join(dir, "wide.safetensors")
	if err := export.WriteSafetensors(st, export.StateDict(&checkpoint.Checkpoint{Tensors: wts}), nil); err != nil {
		t.Fatal(err)
	}
	err = runFinetune([]string{"--init-from", st, "--width", "0.0625", "--data", good, "--backend", "cpu", "--out", filepath.Join(dir, "ft")})
	if err == nil || !strings.Contains(err.Error(), "has conv1.weight (8,3,3,3), model wants (4,3,3,3): trained with --width 0.125?") {
		t.Errorf("width mismatch: %v", err)
	}

	big := filepath.Join(dir, "big")
	colourData(t, big, 3, 12, 8, 8, false)
	if err := run(ck, big); err == nil || !strings.Contains(err.Error(), "12x12 images, the checkpoint was trained on 8x8: pass --image-size 8") {
		t.Errorf("image size: %v", err)
	}
	if err := run(ck, big, "--image-size", "8", "--k", "3"); err != nil {
		t.Errorf("--image-size 8: %v", err)
	}
	// A batch whose activations cannot fit is refused before any pass.
	if err := run(ck, big, "--image-size", "1024", "--batch", "1048576"); err == nil || !strings.Contains(err.Error(), "--batch, --image-size: ") {
		t.Errorf("huge batch: %v", err)
	}
	gray := filepath.Join(dir, "gray")
	colourData(t, gray, 1, 8, 8, 8, false)
	if err := run(ck, gray); err == nil || !strings.Contains(err.Error(), "1-channel images, the encoder takes 3 channels") {
		t.Errorf("channels: %v", err)
	}
	unl := filepath.Join(dir, "unlabelled")
	colourData(t, unl, 3, 8, 8, 8, true)
	if err := run(ck, unl); err == nil || !strings.Contains(err.Error(), "no labels (missing label file?)") {
		t.Errorf("labels: %v", err)
	}
	if err := runEmbed([]string{"--checkpoint", ck, "--data", unl, "--backend", "cpu", "--out", filepath.Join(dir, "u", "f.npy")}); err != nil {
		t.Errorf("embed of unlabelled data: %v", err)
	} else if _, err := os.Stat(filepath.Join(dir, "u", "labels.npy")); err == nil {
		t.Error("labels.npy written for unlabelled data")
	}
	if err := run(filepath.Join(dir, "absent"), good); err == nil {
		t.Error("missing checkpoint accepted")
	}
}
