package data

import (
	"fmt"
	"io"
	"path/filepath"

	"simclr-vk/internal/regfile"
)

const stlSide = 96

// OpenSTL10 opens the STL-10 binary version in dir (stl10_binary). Images
// are 3x96x96, stored per channel in column-major order; they are read
// lazily (unlabeled_X.bin holds 100k images, 2.7 GB). Labels 1..10 in the
// *_y.bin files become 0..9.
//
// split selects the training split: "" or "train" (train_X.bin, labeled),
// "unlabeled" (unlabeled_X.bin) or "train+unlabeled" (both, the unlabeled
// images with label -1). The test split is test_X.bin/test_y.bin, or nil
// when those files are absent.
func OpenSTL10(dir, split string) (train, test Dataset, err error) {
	switch split {
	case "", "train":
		train, err = openSTL("stl10/train", dir, "train")
	case "unlabeled":
		train, err = openSTL("stl10/unlabeled", dir, "unlabeled")
	case "train+unlabeled":
		var a, b Dataset
		if a, err = openSTL("stl10/train", dir, "train"); err != nil {
			return nil, nil, err
		}
		if b, err = openSTL("stl10/unlabeled", dir, "unlabeled"); err != nil {
			a.Close()
			return nil, nil, err
		}
		train, err = Concat("stl10/train+unlabeled", a, b)
	default:
		return nil, nil, fmt.Errorf("data: stl10: unknown split %q (have train, unlabeled, train+unlabeled)", split)
	}
	if err != nil {
		return nil, nil, err
	}
	if exists(filepath.Join(dir, "test_X.bin")) {
		if test, err = openSTL("stl10/test", dir, "test"); err != nil {
			train.Close()
			return nil, nil, err
		}
	}
	return train, test, nil
}

func openSTL(name, dir, part string) (Dataset, error) {
	n := 3 * stlSide * stlSide
	rs, err := openRecords([]string{filepath.Join(dir, part+"_X.bin")}, 0, int64(n))
	if err != nil {
		return nil, err
	}
	d := &recordDataset{name: name, c: 3, h: stlSide, w: stlSide, rs: rs, decode: stlDecode}
	if part == "unlabeled" {
		return d, nil
	}
	yp := filepath.Join(dir, part+"_y.bin")
	lb, err := readLabelBytes(yp, rs.n, part+"_X.bin")
	if err != nil {
		rs.Close()
		return nil, err
	}
	d.labels = make([]int, len(lb))
	for i, l := range lb {
		if l < 1 || l > 10 {
			rs.Close()
			return nil, fmt.Errorf("data: %s: label %d of image %d out of range 1..10", yp, l, i)
		}
		d.labels[i] = int(l) - 1
	}
	d.classes = 10
	return d, nil
}

// stlDecode transposes each 96x96 channel from column-major to row-major.
func stlDecode(rec []byte, dst []uint8) {
	const s = stlSide
	for c := 0; c < 3; c++ {
		src := rec[c*s*s : (c+1)*s*s]
		out := dst[c*s*s : (c+1)*s*s]
		for x := 0; x < s; x++ {
			for y := 0; y < s; y++ {
				out[y*s+x] = src[x*s+y]
			}
		}
	}
}

// readLabelBytes reads the n one-byte labels of the regular file yp,
// checking its size (against the images of imagesName) before reading.
func readLabelBytes(yp string, n int, imagesName string) ([]byte, error) {
	f, size, err := regfile.Open(yp)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	if size != int64(n) {
		return nil, fmt.Errorf("data: %s: %d labels for %d images in %s", yp, size, n, imagesName)
	}
	lb := make([]byte, n)
	if _, err := io.ReadFull(f, lb); err != nil {
		return nil, fmt.Errorf("data: %s: %w", yp, err)
	}
	return lb, nil
}
