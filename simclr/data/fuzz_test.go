package data

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"simclr-vk/internal/alloctest"
)

// The fuzz targets write the input as a dataset's files, open it and read
// every image. Property: Open returns an error, or a dataset whose images
// all read with the declared shape and whose labels lie in [-1,
// NumClasses) with NumClasses <= MaxClasses; nothing panics; and the bytes
// allocated stay below a bound proportional to the input (allocBound).

// allocBound is the allocation allowed for n input bytes: 64 bytes per
// input byte and 1 MiB of fixed overhead (file handles, gzip tables).
func allocBound(n int) uint64 { return 64*uint64(n) + 1<<20 }

// measure runs f and returns the bytes it allocated.

// checkDataset reads every image and label of ds (and closes it).
func checkDataset(t *testing.T, ds Dataset) {
	t.Helper()
	if ds == nil {
		return
	}
	defer ds.Close()
	c, h, w := ds.Shape()
	if (c != 1 && c != 3) || h < 1 || w < 1 || h*w > MaxImagePixels || ds.Len() < 1 {
		t.Fatalf("%s: shape %dx%dx%d, %d images", ds.Name(), c, h, w, ds.Len())
	}
	if k := ds.NumClasses(); k < 0 || k > MaxClasses {
		t.Fatalf("%s: %d classes", ds.Name(), k)
	}
	for i := 0; i < ds.Len(); i++ {
		im, err := ds.Image(i)
		if err != nil {
			if _, ok := ds.(*Folder); ok {
				continue // a body that does not decode is found when read
			}
			t.Fatalf("%s image %d: %v", ds.Name(), i, err)
		}
		h, w := sizeOf(ds, i) // the image's own size where sizes vary
		if im.C != c || im.H != h || im.W != w || len(im.Pix) != c*h*w {
			t.Fatalf("%s image %d: %dx%dx%d with %d bytes, want %dx%dx%d", ds.Name(), i, im.C, im.H, im.W, len(im.Pix), c, h, w)
		}
		if l := ds.Label(i); l < -1 || l >= max(ds.NumClasses(), 0) && l != -1 {
			t.Fatalf("%s image %d: label %d of %d classes", ds.Name(), i, l, ds.NumClasses())
		}
	}
}

// fuzzOpen writes files (name -> content, empty content: absent) into a
// fresh folder, opens it with opts, checks the result and fails when more
// than bound bytes were allocated.
func fuzzOpen(t *testing.T, files map[string][]byte, opts Options, bound uint64) {
	dir := t.TempDir()
	for name, b := range files {
		if len(b) > 0 {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func() {
		train, test, err := Open(dir, opts)
		if err != nil {
			return
		}
		checkDataset(t, train)
		checkDataset(t, test)
	}
	// Measured twice when over the bound: one-time lazy initialisations
	// (decoder tables, the first temporary folder) are not per input.
	if got := alloctest.Bytes(run); got > bound {
		if got = alloctest.Bytes(run); got > bound {
			t.Fatalf("allocated %d bytes, above the bound of %d", got, bound)
		}
	}
}

func FuzzNpy(f *testing.F) {
	add := func(descr string, shape []int, data []byte, ldescr string, lshape []int, ldata []byte) {
		f.Add(append(encodeNpy(descr, shape), data...), append(encodeNpy(ldescr, lshape), ldata...))
	}
	add("|u1", []int{2, 3, 2}, idxPix(2, 3, 2), "|u1", []int{2}, []byte{0, 5})
	add("|u1", []int{1, 2, 2, 3}, make([]byte, 12), "<i8", []int{1}, make([]byte, 8))
	add("|u1", []int{2, 1, 1, 1}, []byte{7, 9}, "<i4", []int{2}, make([]byte, 8))
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		fuzzOpen(t, map[string][]byte{"x_train.npy": images, "y_train.npy": labels},
			Options{Format: "npy"}, allocBound(len(images)+len(labels)))
	})
}

func encodeNpy(descr string, shape []int) []byte {
	dir, _ := os.MkdirTemp("", "npyseed")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "a.npy")
	if err := WriteNpy(p, descr, shape, nil); err != nil {
		panic(err)
	}
	b, _ := os.ReadFile(p)
	return b
}

// idxFile is an IDX file: magic, dims, data.
func idxFile(magic uint32, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(data)
	return b.Bytes()
}

func FuzzIDX(f *testing.F) {
	for _, gz := range []bool{false, true} {
		im := idxFile(idxImagesMagic, []uint32{2, 3, 4}, idxPix(2, 3, 4))
		lb := idxFile(idxLabelsMagic, []uint32{2}, []byte{1, 3})
		if gz {
			im, lb = gzipBytes(im), gzipBytes(lb)
		}
		f.Add(im, lb, gz)
	}
	f.Fuzz(func(t *testing.T, images, labels []byte, gz bool) {
		ext, bound := "", allocBound(len(images)+len(labels))
		if gz {
			// The payload (at most maxGzipRatio times the compressed
			// size) is allocated once and copied once per image read.
			ext, bound = ".gz", bound+2*maxGzipRatio*uint64(len(images)+len(labels))
		}
		fuzzOpen(t, map[string][]byte{"train-images-idx3-ubyte" + ext: images, "train-labels-idx1-ubyte" + ext: labels},
			Options{Format: "idx"}, bound)
	})
}

func gzipBytes(b []byte) []byte {
	dir, _ := os.MkdirTemp("", "gzseed")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "a.gz")
	if err := writeMaybeGz(p, b); err != nil {
		panic(err)
	}
	z, _ := os.ReadFile(p)
	return z
}

func FuzzCIFAR(f *testing.F) {
	f.Add(cifarRecords(2, 0, func(i int) []byte { return []byte{byte(i)} }), false)
	f.Add(cifarRecords(1, 0, func(i int) []byte { return []byte{3, 99} }), true)
	f.Fuzz(func(t *testing.T, b []byte, hundred bool) {
		files := map[string][]byte{"data_batch_1.bin": b, "test_batch.bin": b}
		format := "cifar10"
		if hundred {
			files, format = map[string][]byte{"train.bin": b, "test.bin": b}, "cifar100"
		}
		fuzzOpen(t, files, Options{Format: format}, allocBound(2*len(b)))
	})
}

func FuzzSTL10(f *testing.F) {
	f.Add(stlImages(2, 0), []byte{1, 10}, false)
	f.Add(stlImages(1, 0), []byte{4}, true)
	f.Fuzz(func(t *testing.T, x, y []byte, unlabeled bool) {
		files := map[string][]byte{"train_X.bin": x, "train_y.bin": y}
		split := "train"
		if unlabeled {
			files["unlabeled_X.bin"], split = x, "train+unlabeled"
		}
		fuzzOpen(t, files, Options{Format: "stl10", Split: split}, allocBound(2*len(x)+len(y)))
	})
}

// FuzzImageFolder decodes one image file of a folder, as is and resized.
// Decoding memory is bounded through the declared pixel count, which the
// folder refuses above maxPixelsPerByte per byte of file: 64 bytes per
// declared pixel (the decoder's buffer, JPEG coefficients, CHW planes)
// on top of allocBound.
func FuzzImageFolder(f *testing.F) {
	var b bytes.Buffer
	png.Encode(&b, grayImg(1, 5, 7))
	f.Add(b.Bytes(), uint8(0))
	b.Reset()
	png.Encode(&b, rgbImg(2, 6, 4))
	f.Add(b.Bytes(), uint8(3))
	b.Reset()
	jpeg.Encode(&b, rgbImg(3, 9, 8), &jpeg.Options{Quality: 80})
	f.Add(b.Bytes(), uint8(5))
	b.Reset()
	jpeg.Encode(&b, grayImg(4, 16, 16), nil)
	f.Add(b.Bytes(), uint8(0))
	f.Fuzz(func(t *testing.T, img []byte, size uint8) {
		bound := allocBound(len(img))
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(img)); err == nil {
			px := uint64(max(cfg.Width, 0)) * uint64(max(cfg.Height, 0))
			bound += 64 * min(px, maxPixelsPerByte*uint64(len(img)))
		}
		fuzzOpen(t, map[string][]byte{"a.png": img}, Options{Format: "folder", ImageSize: int(size % 40)}, bound)
	})
}
