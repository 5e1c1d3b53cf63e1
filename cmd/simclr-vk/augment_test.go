package main

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"simclr-vk/simclr/data"
)

// TestAugmentGrid writes a grid for a tiny IDX dataset and checks its size:
// 3 rows, original + 2 views, 10 px images magnified 10x, 2 px gaps.
func TestAugmentGrid(t *testing.T) {
	dir := t.TempDir()
	pix := make([]byte, 5*10*10)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	if err := data.WriteIDX(filepath.Join(dir, "train-images-idx3-ubyte.gz"), filepath.Join(dir, "train-labels-idx1-ubyte.gz"),
		5, 10, 10, pix, []byte{0, 1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "grid.png")
	if err := runAugment([]string{"--data", dir, "--n", "3", "--views", "2", "--out", out}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 3*102+2 || b.Dy() != 3*102+2 {
		t.Errorf("grid is %dx%d, want 308x308", b.Dx(), b.Dy())
	}
	if err := runAugment([]string{"--data", filepath.Join(dir, "missing"), "--out", out}); err == nil {
		t.Error("a missing dataset gave no error")
	}
}
