package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// IDX magic numbers: unsigned bytes, 3 dimensions (images) or 1 (labels).
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// OpenIDX opens MNIST-style IDX files in dir (MNIST, Fashion-MNIST):
// train-images-idx3-ubyte and train-labels-idx1-ubyte form the training
// split, t10k-* the test split (nil when absent). Each file may be plain or
// gzip-compressed (.gz). The data is held in memory (1 byte per pixel).
func OpenIDX(dir string) (train, test Dataset, err error) {
	name := filepath.Base(dir)
	if train, err = openIDXPair(name+"/train", dir, "train"); err != nil {
		return nil, nil, err
	}
	if findIDX(dir, "t10k-images-idx3-ubyte") != "" {
		if test, err = openIDXPair(name+"/test", dir, "t10k"); err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// findIDX returns the plain or .gz file for base in dir, or "".
func findIDX(dir, base string) string {
	for _, p := range []string{filepath.Join(dir, base), filepath.Join(dir, base+".gz")} {
		if exists(p) {
			return p
		}
	}
	return ""
}

func openIDXPair(name, dir, prefix string) (Dataset, error) {
	ip := findIDX(dir, prefix+"-images-idx3-ubyte")
	if ip == "" {
		return nil, fmt.Errorf("data: %s: no %s-images-idx3-ubyte[.gz]", dir, prefix)
	}
	n, h, w, pix, err := ReadIDXImages(ip)
	if err != nil {
		return nil, err
	}
	d := &memDataset{name: name, c: 1, h: h, w: w, n: n, pix: pix}
	lp := findIDX(dir, prefix+"-labels-idx1-ubyte")
	if lp == "" {
		return d, nil // unlabeled
	}
	lb, err := ReadIDXLabels(lp)
	if err != nil {
		return nil, err
	}
	if len(lb) != n {
		return nil, fmt.Errorf("data: %s: %d labels for %d images in %s", lp, len(lb), n, filepath.Base(ip))
	}
	d.labels = make([]int, n)
	for i, l := range lb {
		d.labels[i] = int(l)
		d.classes = max(d.classes, int(l)+1)
	}
	return d, nil
}

// readMaybeGz reads a whole file, gunzipping it when its name ends in .gz.
func readMaybeGz(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("data: %s: gzip: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return b, nil
}

// readIDX parses an IDX file with the given magic and returns its
// dimensions and payload, which must have exactly prod(dims) bytes.
func readIDX(path string, magic uint32) ([]int, []byte, error) {
	b, err := readMaybeGz(path)
	if err != nil {
		return nil, nil, err
	}
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("data: %s: truncated: %d bytes, no IDX header", path, len(b))
	}
	if m := binary.BigEndian.Uint32(b); m != magic {
		return nil, nil, fmt.Errorf("data: %s: wrong magic 0x%08x, want 0x%08x (IDX unsigned byte, %d dims)", path, m, magic, magic&0xff)
	}
	nd := int(magic & 0xff)
	if len(b) < 4+4*nd {
		return nil, nil, fmt.Errorf("data: %s: truncated IDX header", path)
	}
	dims := make([]int, nd)
	size := 1
	for k := range dims {
		dims[k] = int(binary.BigEndian.Uint32(b[4+4*k:]))
		size *= dims[k]
	}
	payload := b[4+4*nd:]
	if len(payload) != size {
		what := "truncated"
		if len(payload) > size {
			what = "trailing bytes"
		}
		return nil, nil, fmt.Errorf("data: %s: %s: dimensions %v need %d bytes, file has %d", path, what, dims, size, len(payload))
	}
	return dims, payload, nil
}

// ReadIDXImages reads an idx3-ubyte image file (plain or .gz): n images of
// h x w bytes, row-major.
func ReadIDXImages(path string) (n, h, w int, pix []byte, err error) {
	dims, pix, err := readIDX(path, idxImagesMagic)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	return dims[0], dims[1], dims[2], pix, nil
}

// ReadIDXLabels reads an idx1-ubyte label file (plain or .gz).
func ReadIDXLabels(path string) ([]byte, error) {
	_, lb, err := readIDX(path, idxLabelsMagic)
	return lb, err
}

// WriteIDX writes images (n x h x w bytes) and their labels as IDX files
// (gzip-compressed when a name ends in .gz). For tests and tools.
func WriteIDX(imagesPath, labelsPath string, n, h, w int, pix, labels []byte) error {
	var ib bytes.Buffer
	binary.Write(&ib, binary.BigEndian, [4]uint32{idxImagesMagic, uint32(n), uint32(h), uint32(w)})
	ib.Write(pix)
	if err := writeMaybeGz(imagesPath, ib.Bytes()); err != nil {
		return err
	}
	var lb bytes.Buffer
	binary.Write(&lb, binary.BigEndian, [2]uint32{idxLabelsMagic, uint32(len(labels))})
	lb.Write(labels)
	return writeMaybeGz(labelsPath, lb.Bytes())
}

func writeMaybeGz(path string, b []byte) error {
	if strings.HasSuffix(path, ".gz") {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		if err := zw.Close(); err != nil {
			return fmt.Errorf("data: %s: %w", path, err)
		}
		b = z.Bytes()
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// memDataset holds all pixels in memory, CHW per image.
type memDataset struct {
	name       string
	c, h, w, n int
	classes    int
	labels     []int
	pix        []byte
}

func (d *memDataset) Len() int             { return d.n }
func (d *memDataset) Shape() (c, h, w int) { return d.c, d.h, d.w }
func (d *memDataset) NumClasses() int      { return d.classes }
func (d *memDataset) Name() string         { return d.name }
func (d *memDataset) Close() error         { d.pix = nil; return nil }
func (d *memDataset) Label(i int) int {
	checkIndex(d.name, i, d.n)
	if d.labels == nil {
		return -1
	}
	return d.labels[i]
}
func (d *memDataset) Image(i int) (Image, error) {
	checkIndex(d.name, i, d.n)
	sz := d.c * d.h * d.w
	pix := make([]uint8, sz)
	copy(pix, d.pix[i*sz:(i+1)*sz])
	return Image{C: d.c, H: d.h, W: d.w, Pix: pix}, nil
}
