package data

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"

	"simclr-vk/internal/regfile"
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

// maxGzipRatio bounds how much a .gz IDX file may promise to expand:
// deflate cannot exceed 1032:1 (a 258-byte match costs at least 2 bits), so
// dimensions promising more than maxGzipRatio times the compressed size
// cannot be genuine and are refused before anything is allocated.
const maxGzipRatio = 1032

// readIDX parses an IDX file (plain or .gz) with the given magic and
// returns its dimensions and payload, which must have exactly prod(dims)
// bytes. The header is read first; the payload size it promises is checked
// for overflow and against the file's size (plain: exactly; .gz: at most
// maxGzipRatio times) before it is allocated, and the stream must end
// right after it (surplus or shortfall is an error, as is a gzip checksum
// mismatch).
func readIDX(path string, magic uint32) ([]int, []byte, error) {
	f, fsize, err := regfile.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	gz := strings.HasSuffix(path, ".gz")
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %s: gzip: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	nd := int(magic & 0xff)
	hdr := make([]byte, 4+4*nd)
	if n, err := io.ReadFull(r, hdr); err != nil {
		if n >= 4 && binary.BigEndian.Uint32(hdr) != magic {
			return nil, nil, fmt.Errorf("data: %s: wrong magic 0x%08x, want 0x%08x (IDX unsigned byte, %d dims)", path, binary.BigEndian.Uint32(hdr), magic, nd)
		}
		return nil, nil, fmt.Errorf("data: %s: truncated IDX header (%d of %d bytes): %w", path, n, len(hdr), err)
	}
	if m := binary.BigEndian.Uint32(hdr); m != magic {
		return nil, nil, fmt.Errorf("data: %s: wrong magic 0x%08x, want 0x%08x (IDX unsigned byte, %d dims)", path, m, magic, nd)
	}
	dims := make([]int, nd)
	size := int64(1)
	for k := range dims {
		dims[k] = int(binary.BigEndian.Uint32(hdr[4+4*k:]))
		if dims[k] == 0 {
			return nil, nil, fmt.Errorf("data: %s: dimensions %v: a zero dimension (no images)", path, dims[:k+1])
		}
		if size > math.MaxInt64/int64(dims[k]) {
			return nil, nil, fmt.Errorf("data: %s: dimensions %v overflow", path, dims[:k+1])
		}
		size *= int64(dims[k])
	}
	if nd == 3 {
		if err := checkShape(path, dims[1], dims[2]); err != nil {
			return nil, nil, err
		}
	}
	have := fsize - int64(len(hdr))
	switch {
	case !gz && size != have:
		what := "truncated"
		if have > size {
			what = "trailing bytes"
		}
		return nil, nil, fmt.Errorf("data: %s: %s: dimensions %v need %d bytes, file has %d", path, what, dims, size, have)
	case gz && size/maxGzipRatio > fsize:
		return nil, nil, fmt.Errorf("data: %s: dimensions %v promise %d bytes from a %d-byte .gz file, more than gzip's maximal ratio of %d:1 (corrupt header?)", path, dims, size, fsize, maxGzipRatio)
	}
	payload := make([]byte, size)
	if n, err := io.ReadFull(r, payload); err != nil {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return nil, nil, fmt.Errorf("data: %s: truncated: dimensions %v need %d bytes, the data ends after %d", path, dims, size, n)
		}
		return nil, nil, fmt.Errorf("data: %s: %w", path, err)
	}
	// The stream must end here; reading to the end also checks the gzip CRC.
	if n, err := io.CopyN(io.Discard, r, 1); n > 0 {
		return nil, nil, fmt.Errorf("data: %s: trailing bytes after the %d bytes dimensions %v need", path, size, dims)
	} else if err != io.EOF {
		return nil, nil, fmt.Errorf("data: %s: %w", path, err)
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
