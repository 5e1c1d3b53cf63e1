package data

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
		lp := strings.TrimSuffix(path, ".npy") + "_labels.npy"
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

func openNpyPair(name, imagesPath, labelsPath string) (Dataset, error) {
	h, err := readNpyHeaderFile(imagesPath)
	if err != nil {
		return nil, err
	}
	if h.descr != "|u1" && h.descr != "<u1" && h.descr != ">u1" {
		return nil, fmt.Errorf("data: %s: dtype %q, want uint8 ('|u1')", imagesPath, h.descr)
	}
	var c, ih, iw int
	switch {
	case len(h.shape) == 3:
		c, ih, iw = 1, h.shape[1], h.shape[2]
	case len(h.shape) == 4 && (h.shape[3] == 1 || h.shape[3] == 3):
		c, ih, iw = h.shape[3], h.shape[1], h.shape[2]
	default:
		return nil, fmt.Errorf("data: %s: shape %v, want (N, H, W) or (N, H, W, C) with C 1 or 3", imagesPath, h.shape)
	}
	rs, err := openRecords([]string{imagesPath}, h.dataOff, int64(c*ih*iw))
	if err != nil {
		return nil, err
	}
	if rs.n != h.shape[0] {
		rs.Close()
		return nil, fmt.Errorf("data: %s: truncated: header says %d images, file holds %d", imagesPath, h.shape[0], rs.n)
	}
	d := &recordDataset{name: name, c: c, h: ih, w: iw, rs: rs}
	if c == 3 {
		d.decode = func(rec []byte, dst []uint8) { hwcToCHW(rec, dst, 3, ih, iw) }
	}
	if labelsPath == "" {
		return d, nil
	}
	labels, err := readNpyLabels(labelsPath)
	if err != nil {
		rs.Close()
		return nil, err
	}
	if len(labels) != rs.n {
		rs.Close()
		return nil, fmt.Errorf("data: %s: %d labels for %d images in %s", labelsPath, len(labels), rs.n, filepath.Base(imagesPath))
	}
	for i, l := range labels {
		if l < 0 {
			rs.Close()
			return nil, fmt.Errorf("data: %s: label %d of image %d is negative", labelsPath, l, i)
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

func readNpyLabels(path string) ([]int, error) {
	h, err := readNpyHeaderFile(path)
	if err != nil {
		return nil, err
	}
	if len(h.shape) != 1 {
		return nil, fmt.Errorf("data: %s: label shape %v, want (N,)", path, h.shape)
	}
	var size int
	switch h.descr {
	case "<i8":
		size = 8
	case "<i4":
		size = 4
	case "|u1", "<u1":
		size = 1
	default:
		return nil, fmt.Errorf("data: %s: label dtype %q, want int64 '<i8', int32 '<i4' or uint8 '|u1'", path, h.descr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	b = b[h.dataOff:]
	n := h.shape[0]
	if len(b) != n*size {
		return nil, fmt.Errorf("data: %s: truncated: %d labels need %d bytes, file has %d", path, n, n*size, len(b))
	}
	out := make([]int, n)
	for i := range out {
		switch size {
		case 8:
			out[i] = int(int64(binary.LittleEndian.Uint64(b[8*i:])))
		case 4:
			out[i] = int(int32(binary.LittleEndian.Uint32(b[4*i:])))
		case 1:
			out[i] = int(b[i])
		}
	}
	return out, nil
}

// npyHeader is the parsed header of a .npy file.
type npyHeader struct {
	descr   string
	shape   []int
	dataOff int64
}

func readNpyHeaderFile(path string) (npyHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return npyHeader{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	h, err := parseNpyHeader(f)
	if err != nil {
		return npyHeader{}, fmt.Errorf("data: %s: %w", path, err)
	}
	return h, nil
}

// parseNpyHeader reads the magic, version, and the header dict
// {'descr': ..., 'fortran_order': ..., 'shape': (...), }.
func parseNpyHeader(r io.Reader) (npyHeader, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return npyHeader{}, fmt.Errorf("npy: truncated header: %w", err)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return npyHeader{}, fmt.Errorf("npy: wrong magic %q, want \"\\x93NUMPY\"", pre[:6])
	}
	var hlen, off int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return npyHeader{}, fmt.Errorf("npy: truncated header: %w", err)
		}
		hlen, off = int(binary.LittleEndian.Uint16(b[:])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return npyHeader{}, fmt.Errorf("npy: truncated header: %w", err)
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[:])), 12
	default:
		return npyHeader{}, fmt.Errorf("npy: unsupported format version %d.%d", pre[6], pre[7])
	}
	if hlen > 1<<20 {
		return npyHeader{}, fmt.Errorf("npy: header length %d too large", hlen)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return npyHeader{}, fmt.Errorf("npy: truncated header: %w", err)
	}
	s := string(hb)
	h := npyHeader{dataOff: int64(off + hlen)}
	descr, ok := npyField(s, "descr")
	if !ok {
		return h, fmt.Errorf("npy: header %q has no 'descr'", s)
	}
	h.descr = strings.Trim(descr, "'\"")
	fo, ok := npyField(s, "fortran_order")
	if !ok {
		return h, fmt.Errorf("npy: header %q has no 'fortran_order'", s)
	}
	if fo != "False" {
		return h, fmt.Errorf("npy: fortran_order is %s: only C-order arrays are supported (save with np.ascontiguousarray)", fo)
	}
	sh, ok := npyField(s, "shape")
	if !ok || !strings.HasPrefix(sh, "(") || !strings.HasSuffix(sh, ")") {
		return h, fmt.Errorf("npy: header %q has no 'shape' tuple", s)
	}
	for _, f := range strings.Split(sh[1:len(sh)-1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || v < 0 {
			return h, fmt.Errorf("npy: bad shape %s", sh)
		}
		h.shape = append(h.shape, v)
	}
	return h, nil
}

// npyField returns the value text of key in a Python dict literal: a quoted
// string, a parenthesised tuple or a bare word.
func npyField(s, key string) (string, bool) {
	i := strings.Index(s, "'"+key+"'")
	if i < 0 {
		return "", false
	}
	s = strings.TrimSpace(s[i+len(key)+2:])
	if !strings.HasPrefix(s, ":") {
		return "", false
	}
	s = strings.TrimSpace(s[1:])
	switch {
	case strings.HasPrefix(s, "("):
		j := strings.Index(s, ")")
		if j < 0 {
			return "", false
		}
		return s[:j+1], true
	case strings.HasPrefix(s, "'"), strings.HasPrefix(s, "\""):
		j := strings.IndexByte(s[1:], s[0])
		if j < 0 {
			return "", false
		}
		return s[:j+2], true
	}
	j := strings.IndexAny(s, ",}")
	if j < 0 {
		return "", false
	}
	return strings.TrimSpace(s[:j]), true
}

// WriteNpy writes a C-order .npy (format 1.0) with the given dtype descr
// ("|u1", "<i4", "<i8"), shape and raw little-endian data. For tests and
// tools.
func WriteNpy(path, descr string, shape []int, raw []byte) error {
	var sh []string
	for _, d := range shape {
		sh = append(sh, strconv.Itoa(d))
	}
	tuple := "(" + strings.Join(sh, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	tuple += ")"
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple)
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(hdr)))
	b = append(b, hdr...)
	b = append(b, raw...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
