package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"simclr-vk/simclr/npy"
)

// OpenNpy opens uint8 image arrays stored as .npy files. path is either
//   - a folder holding train_images.npy (+ train_labels.npy) and optionally
//     test_images.npy (+ test_labels.npy), or the Keras-style x_train.npy,
//     y_train.npy, x_test.npy, y_test.npy; or
//   - one images file X.npy, labeled by X_labels.npy when that exists
//     (no test split).
//
// Images are (N, H, W) for gray or (N, H, W, C) with C = 1 or 3, uint8,
// C-order; they are read lazily. Labels are (N,) int64, int32 or uint8.
func OpenNpy(path string) (train, test Dataset, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	if !st.IsDir() {
		lp := NpyLabelsPath(path)
		if !exists(lp) {
			lp = ""
		}
		train, err = openNpyPair(filepath.Base(path), path, lp)
		return train, nil, err
	}
	for _, names := range [][4]string{
		{"train_images.npy", "train_labels.npy", "test_images.npy", "test_labels.npy"},
		{"x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy"},
	} {
		p := func(k int) string {
			if q := filepath.Join(path, names[k]); exists(q) {
				return q
			}
			return ""
		}
		if p(0) == "" {
			continue
		}
		base := filepath.Base(path)
		if train, err = openNpyPair(base+"/train", p(0), p(1)); err != nil {
			return nil, nil, err
		}
		if p(2) != "" {
			if test, err = openNpyPair(base+"/test", p(2), p(3)); err != nil {
				train.Close()
				return nil, nil, err
			}
		}
		return train, test, nil
	}
	return nil, nil, fmt.Errorf("data: %s: no train_images.npy or x_train.npy (give a .npy file to open it alone)", path)
}

// NpyLabelsPath is the labels file that OpenNpy reads next to a single
// images file X.npy when it exists: X_labels.npy.
func NpyLabelsPath(images string) string {
	return strings.TrimSuffix(images, ".npy") + "_labels.npy"
}

func openNpyPair(name, imagesPath, labelsPath string) (Dataset, error) {
	h, size, err := readNpyHeaderFile(imagesPath)
	if err != nil {
		return nil, err
	}
	if h.Descr != "|u1" && h.Descr != "<u1" && h.Descr != ">u1" {
		return nil, fmt.Errorf("data: %s: dtype %q, want uint8 ('|u1')", imagesPath, h.Descr)
	}
	var c, ih, iw int
	switch {
	case len(h.Shape) == 3:
		c, ih, iw = 1, h.Shape[1], h.Shape[2]
	case len(h.Shape) == 4 && (h.Shape[3] == 1 || h.Shape[3] == 3):
		c, ih, iw = h.Shape[3], h.Shape[1], h.Shape[2]
	default:
		return nil, fmt.Errorf("data: %s: shape %v, want (N, H, W) or (N, H, W, C) with C 1 or 3", imagesPath, h.Shape)
	}
	if err := checkShape(imagesPath, ih, iw); err != nil {
		return nil, err
	}
	if h.Shape[0] == 0 {
		return nil, fmt.Errorf("data: %s: shape %v holds no images", imagesPath, h.Shape)
	}
	if err := h.CheckSize(1, size); err != nil {
		return nil, fmt.Errorf("data: %s: %w", imagesPath, err)
	}
	rs, err := openRecords([]string{imagesPath}, h.DataOffset, int64(c*ih*iw))
	if err != nil {
		return nil, err
	}
	if rs.n != h.Shape[0] { // the file changed since its header was read
		rs.Close()
		return nil, fmt.Errorf("data: %s: header says %d images, file holds %d", imagesPath, h.Shape[0], rs.n)
	}
	d := &recordDataset{name: name, c: c, h: ih, w: iw, rs: rs}
	if c == 3 {
		d.decode = func(rec []byte, dst []uint8) { hwcToCHW(rec, dst, 3, ih, iw) }
	}
	if labelsPath == "" {
		return d, nil
	}
	labels, err := readNpyLabels(labelsPath, rs.n, filepath.Base(imagesPath))
	if err != nil {
		rs.Close()
		return nil, err
	}
	for i, l := range labels {
		if err := checkLabel(labelsPath, i, l); err != nil {
			rs.Close()
			return nil, err
		}
		d.classes = max(d.classes, l+1)
	}
	d.labels = labels
	return d, nil
}

// hwcToCHW converts interleaved pixels to channel planes.
func hwcToCHW(src, dst []uint8, c, h, w int) {
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for k := 0; k < c; k++ {
				dst[(k*h+y)*w+x] = src[(y*w+x)*c+k]
			}
		}
	}
}

// readNpyLabels reads the n labels of the images file imagesName from
// path; the dtype, the file's size (npy.File.CheckInts) and the header's
// count are checked before the data is read (a sparse or lying file
// allocates nothing).
func readNpyLabels(path string, n int, imagesName string) ([]int, error) {
	f, err := npy.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	if len(f.Shape) != 1 {
		return nil, fmt.Errorf("data: %s: label shape %v, want (N,)", path, f.Shape)
	}
	if _, err := f.CheckInts(); err != nil {
		return nil, fmt.Errorf("data: %s: labels: %w", path, err)
	}
	if f.Shape[0] != n {
		return nil, fmt.Errorf("data: %s: %d labels for %d images in %s", path, f.Shape[0], n, imagesName)
	}
	out, err := f.ReadInts()
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return out, nil
}

// readNpyHeaderFile reads the header of the regular file path and returns
// it with the file's size.
func readNpyHeaderFile(path string) (npy.Header, int64, error) {
	f, err := npy.Open(path)
	if err != nil {
		return npy.Header{}, 0, fmt.Errorf("data: %w", err)
	}
	f.Close()
	return f.Header, f.Size, nil
}

// WriteNpy writes a C-order .npy (format 1.0) with the given dtype descr
// ("|u1", "<i4", "<i8"), shape and raw little-endian data. For tests and
// tools.
func WriteNpy(path, descr string, shape []int, raw []byte) error {
	if err := npy.WriteFile(path, descr, shape, raw); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
