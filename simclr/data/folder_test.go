package data

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"testing"

	"simclr-vk/internal/jpegdec"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	must(t, png.Encode(&b, img))
	write(t, path, b.Bytes())
}

func grayImg(i, h, w int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.SetGray(x, y, color.Gray{pattern(i, 0, y, x)})
		}
	}
	return g
}

func rgbImg(i, h, w int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{pattern(i, 0, y, x), pattern(i, 1, y, x), pattern(i, 2, y, x), 255})
		}
	}
	return m
}

func TestFolderClasses(t *testing.T) {
	dir := t.TempDir()
	// Classes "b" and "a": labels follow sorted names (a=0, b=1).
	writePNG(t, filepath.Join(dir, "b", "0.png"), rgbImg(0, 6, 5))
	writePNG(t, filepath.Join(dir, "a", "0.png"), rgbImg(1, 6, 5))
	writePNG(t, filepath.Join(dir, "a", "sub", "1.png"), rgbImg(2, 6, 5))
	write(t, filepath.Join(dir, "a", "notes.txt"), []byte("ignored"))
	train, test, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if test != nil || train.Len() != 3 || train.NumClasses() != 2 {
		t.Fatalf("len %d classes %d test %v", train.Len(), train.NumClasses(), test)
	}
	if c, h, w := train.Shape(); c != 3 || h != 6 || w != 5 {
		t.Fatalf("shape %d %d %d", c, h, w)
	}
	f := train.(*Folder)
	if f.Classes()[0] != "a" || train.Label(0) != 0 || train.Label(2) != 1 {
		t.Fatalf("classes %v labels %d %d", f.Classes(), train.Label(0), train.Label(2))
	}
	for i, want := range []int{1, 2, 0} { // a/0.png, a/sub/1.png, b/0.png
		im, err := train.Image(i)
		if err != nil {
			t.Fatal(err)
		}
		if im.At(2, 3, 4) != pattern(want, 2, 3, 4) {
			t.Errorf("image %d (%s): pixel %d, want %d", i, f.File(i), im.At(2, 3, 4), pattern(want, 2, 3, 4))
		}
	}
	// Mixed sizes need ImageSize.
	writePNG(t, filepath.Join(dir, "b", "1.png"), rgbImg(3, 9, 12))
	_, _, err = Open(dir, Options{})
	wantErr(t, err, "different sizes", "image size")
	train, _, err = Open(dir, Options{ImageSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < train.Len(); i++ {
		im, err := train.Image(i)
		if err != nil || im.H != 4 || im.W != 4 || im.C != 3 {
			t.Fatalf("resized image %d: %v %dx%dx%d", i, err, im.C, im.H, im.W)
		}
	}
	// Undecodable files: an error naming them, or skipped with SkipBad.
	write(t, filepath.Join(dir, "b", "bad.png"), []byte("\x89PNG garbage"))
	write(t, filepath.Join(dir, "b", "bad.jpg"), []byte("not a jpeg"))
	_, _, err = Open(dir, Options{ImageSize: 4})
	wantErr(t, err, "2 of 6 files do not decode", "bad.png", "bad.jpg")
	train, _, err = Open(dir, Options{ImageSize: 4, SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 4 || len(train.(*Folder).Skipped) != 2 || train.Label(3) != 1 {
		t.Fatalf("skip bad: len %d skipped %v", train.Len(), train.(*Folder).Skipped)
	}
}

func TestFolderFlatGraySplits(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "x1.png"), grayImg(0, 4, 3))
	writePNG(t, filepath.Join(dir, "x2.png"), grayImg(1, 4, 3))
	train, test, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, _, _ := train.Shape(); c != 1 || train.NumClasses() != 0 || train.Label(0) != -1 || test != nil {
		t.Fatalf("flat gray: c %d classes %d", c, train.NumClasses())
	}
	checkImage(t, train, 0)
	checkImage(t, train, 1)
	// A colour file makes the folder RGB; gray files are tiled.
	writePNG(t, filepath.Join(dir, "x3.png"), rgbImg(2, 4, 3))
	train, _, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	im, err := train.Image(0)
	if err != nil || im.C != 3 || im.At(2, 1, 1) != pattern(0, 0, 1, 1) {
		t.Fatalf("gray in RGB folder: %v c %d", err, im.C)
	}
	// train/ and val/ sub-folders are the splits, sharing class labels.
	root := t.TempDir()
	writePNG(t, filepath.Join(root, "train", "cat", "1.png"), grayImg(0, 4, 4))
	writePNG(t, filepath.Join(root, "train", "dog", "1.png"), grayImg(1, 4, 4))
	writePNG(t, filepath.Join(root, "val", "dog", "1.png"), grayImg(2, 4, 4))
	train, test, err = Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 2 || test == nil || test.Len() != 1 || test.Label(0) != 1 || test.NumClasses() != 2 {
		t.Fatalf("splits: %d %v", train.Len(), test)
	}
}

// A folder opened with an image size gives exactly EvalTransform of each
// image as decoded (the one Resize + CenterCrop of eval, the kNN monitor
// and .svk files): PNGs of mixed sizes, and JPEGs that libjpeg-turbo
// decodes at a DCT reduction first (the same reduced decode as
// NativeMinSide, smaller than the header's size), which the transform
// then works on.
func TestFolderImageSizeIsEvalTransform(t *testing.T) {
	const s = 5
	dir := mixedFolder(t)
	write(t, filepath.Join(dir, "train", "cat", "p.jpg"), photoJPEG(t, 200, 150, false, 5))
	write(t, filepath.Join(dir, "train", "dog", "q.jpg"), photoJPEG(t, 90, 160, false, 6))
	sized, _, err := Open(dir, Options{ImageSize: s})
	must(t, err)
	native, _, err := Open(dir, Options{NativeSize: true, NativeMinSide: s})
	must(t, err)
	reduced := 0
	for i := range sized.Len() {
		got, err := sized.Image(i)
		must(t, err)
		src, err := native.Image(i)
		must(t, err)
		if h, w := native.(Sized).ImageSize(i); src.H < h {
			reduced++
			if w <= src.W {
				t.Errorf("image %d decoded %dx%d from a %dx%d header", i, src.H, src.W, h, w)
			}
		}
		if want := EvalTransform(src, s); got.H != s || got.W != s || !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("image %d (%s, decoded %dx%d): %dx%d %v, want EvalTransform's %v", i, sized.(*Folder).File(i), src.H, src.W, got.H, got.W, got.Pix, want.Pix)
		}
	}
	if lib := jpegdec.New(jpegdec.Options{}).UsesLibrary(); lib != (reduced == 2) {
		t.Errorf("libjpeg-turbo %v, %d reduced decodes", lib, reduced)
	}
}

func TestFolderJPEG(t *testing.T) {
	dir := t.TempDir()
	col := image.NewNRGBA(image.Rect(0, 0, 16, 8))
	for i := 0; i < len(col.Pix); i += 4 {
		copy(col.Pix[i:], []byte{200, 100, 50, 255})
	}
	var b bytes.Buffer
	must(t, jpeg.Encode(&b, col, &jpeg.Options{Quality: 95}))
	write(t, filepath.Join(dir, "rgb", "a.jpg"), b.Bytes())
	b.Reset()
	g := image.NewGray(image.Rect(0, 0, 16, 8))
	for i := range g.Pix {
		g.Pix[i] = 77
	}
	must(t, jpeg.Encode(&b, g, &jpeg.Options{Quality: 95}))
	write(t, filepath.Join(dir, "gray", "b.jpeg"), b.Bytes())
	near := func(got uint8, want int) bool { return int(got) >= want-4 && int(got) <= want+4 }
	ds, _, err := Open(filepath.Join(dir, "gray"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	im, err := ds.Image(0)
	if c, _, _ := ds.Shape(); err != nil || c != 1 || !near(im.At(0, 4, 8), 77) {
		t.Fatalf("gray jpeg: %v c %d pixel %d", err, c, im.At(0, 4, 8))
	}
	ds, _, err = Open(dir, Options{}) // class folders "gray" and "rgb": RGB
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := ds.Shape(); c != 3 || h != 8 || w != 16 || ds.Label(1) != 1 {
		t.Fatalf("mixed jpeg folder: %d %d %d", c, h, w)
	}
	im, err = ds.Image(1)
	if err != nil || !near(im.At(0, 4, 8), 200) || !near(im.At(1, 4, 8), 100) || !near(im.At(2, 4, 8), 50) {
		t.Fatalf("rgb jpeg: %v pixel (%d %d %d)", err, im.At(0, 4, 8), im.At(1, 4, 8), im.At(2, 4, 8))
	}
	im, _ = ds.Image(0)
	if !near(im.At(0, 1, 1), 77) || im.At(0, 1, 1) != im.At(2, 1, 1) {
		t.Fatalf("gray jpeg in RGB folder: %d %d", im.At(0, 1, 1), im.At(2, 1, 1))
	}
}
