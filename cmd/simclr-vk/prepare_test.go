package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/export"
)

// mixedPNGFolder writes 24 RGB PNGs in 2 class folders, the first 16 in
// train/, the rest in test/, of the sizes 12x16, 16x12, 20x20 and 10x14 in
// turn.
func mixedPNGFolder(t *testing.T) string {
	root := t.TempDir()
	for k := range 24 {
		i, split := k%16, map[bool]string{true: "test", false: "train"}[k >= 16]
		side := [][2]int{{12, 16}, {16, 12}, {20, 20}, {10, 14}}[i%4]
		m := image.NewNRGBA(image.Rect(0, 0, side[1], side[0]))
		for p := 0; p < len(m.Pix); p += 4 {
			x, y := p/4%side[1], p/4/side[1]
			copy(m.Pix[p:], []uint8{uint8(40 * (i % 2)), uint8(9*x + 5*y + i), uint8(200 - 7*y), 255})
		}
		var b bytes.Buffer
		if err := png.Encode(&b, m); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, split, fmt.Sprintf("c%d", i%2), fmt.Sprintf("%02d.png", i))
		if err := errors.Join(os.MkdirAll(filepath.Dir(p), 0o755), os.WriteFile(p, b.Bytes(), 0o644)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestTrainFolderNativeSize: train reads an image folder with --image-size
// as it reads a .svk, each image at its own size (the crops come from the
// original), and bench data reads it the same way.
func TestTrainFolderNativeSize(t *testing.T) {
	folder := mixedPNGFolder(t)
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"--data", folder, "--out", out, "--backend", "cpu", "--width", "0.0625", "--proj-dims", "0,16", "--image-size", "8",
		"--batch-size", "8", "--epochs", "1", "--max-steps", "1", "--subset", "0", "--knn-bank", "0", "--knn-subset", "0", "--knn-k", "3", "--workers", "2"}
	stdout := tempOut(t)
	if err := trainWithSignals(args, make(chan os.Signal), stdout, func(int) { t.Error("aborted") }); err != nil {
		t.Fatalf("train on a folder: %v\n%s", err, readAll(t, stdout))
	}
	if log := readAll(t, stdout); !strings.Contains(log, "16 of 16 training images (3 channels, sizes vary, shorter sides from 10)") {
		t.Errorf("train's data line: want the folder's own sizes, not 8x8 centre squares:\n%s", log)
	}
	if err := runBenchData([]string{"--data", folder, "--image-size", "8", "--images", "0", "--repeat", "1", "--batch", "4", "--workers", "2", "--json"}); err != nil {
		t.Fatal(err)
	}
}

// TestPrepareTrainOnSVK prepares a mixed-size image folder and runs train
// (one epoch), embed, augment and bench data on the .svk file.
func TestPrepareTrainOnSVK(t *testing.T) {
	folder := mixedPNGFolder(t)
	dir := t.TempDir()
	svk := filepath.Join(dir, "d.svk")
	if err := runPrepare([]string{"--data", folder, "--out", svk, "--max-side", "14", "--workers", "2"}); err != nil {
		t.Fatal(err)
	}
	tr, te, err := data.Open(svk, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 16 || te == nil || te.Len() != 8 || !data.VariesInSize(tr) || tr.NumClasses() != 2 {
		t.Fatalf("prepared: %d + %v images, varies %v", tr.Len(), te, data.VariesInSize(tr))
	}
	if h, w := tr.(data.Sized).ImageSize(1); h != 14 || w != 14 { // 20x20 stored at the max side
		t.Errorf("20x20 stored as %dx%d, want 14x14", h, w)
	}
	tr.Close()
	te.Close()

	out := filepath.Join(dir, "run")
	args := []string{"--data", svk, "--out", out, "--backend", "cpu", "--width", "0.0625", "--proj-dims", "0,16", "--image-size", "8",
		"--batch-size", "8", "--epochs", "1", "--subset", "0", "--knn-bank", "0", "--knn-subset", "0", "--knn-k", "3", "--workers", "2"}
	stdout := tempOut(t)
	if err := trainWithSignals(args, make(chan os.Signal), stdout, func(int) { t.Error("aborted") }); err != nil {
		t.Fatalf("train on .svk: %v\n%s", err, readAll(t, stdout))
	}
	if log := readAll(t, stdout); !strings.Contains(log, "16 of 16 training images (3 channels, sizes vary, shorter sides from 10; stored at prepare --max-side 14)") {
		t.Errorf("train's data line does not say the sizes vary and the max side:\n%s", log)
	}
	ck, err := checkpoint.Load(out)
	if err != nil || ck.Meta.GlobalStep != 2 {
		t.Fatalf("checkpoint after 1 epoch of 16 images, batch 8: %v step %v\n%s", err, ck, readAll(t, stdout))
	}
	feats := filepath.Join(dir, "emb", "f.npy")
	if err := runEmbed([]string{"--checkpoint", out, "--data", svk, "--backend", "cpu", "--split", "test", "--out", feats}); err != nil {
		t.Fatal(err)
	}
	if f, err := export.ReadNpy(feats); err != nil || f.Shape[0] != 8 {
		t.Fatalf("embed of the .svk test split: %v %v", err, f)
	}
	if err := runAugment([]string{"--data", svk, "--image-size", "8", "--n", "2", "--views", "2", "--out", filepath.Join(dir, "grid.png")}); err != nil {
		t.Fatal(err)
	}
	if err := runBenchData([]string{"--data", svk, "--image-size", "8", "--images", "0", "--repeat", "1", "--batch", "4", "--workers", "2", "--json"}); err != nil {
		t.Fatal(err)
	}
}

func TestPrepareErrors(t *testing.T) {
	folder := mixedPNGFolder(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		sub  string
	}{
		{[]string{"--data", folder}, "required"},
		{[]string{"--data", folder, "--out", filepath.Join(dir, "d.bin")}, ".svk"},
		{[]string{"--data", folder, "--out", filepath.Join(folder, "d.svk")}, "--data"},
		{[]string{"--data", folder, "--out", filepath.Join(dir, "d.svk"), "--max-side", "-1"}, "max-side"},
		{[]string{"--data", filepath.Join(dir, "missing"), "--out", filepath.Join(dir, "d.svk")}, "missing"},
	} {
		err := runPrepare(c.args)
		if err == nil || !strings.Contains(err.Error(), c.sub) {
			t.Errorf("prepare %v: error %v, want one containing %q", c.args, err, c.sub)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed prepares left %v", ents)
	}
}
