package data

import (
	"fmt"
	"io"
	"os"

	"simclr-vk/internal/regfile"
)

// recordSet is a sequence of fixed-size records spread over one or more
// files, read lazily with ReadAt (safe for concurrent use).
type recordSet struct {
	files   []*os.File
	names   []string
	starts  []int // index of each file's first record
	base    int64 // byte offset of the first record in every file
	recSize int64
	n       int
}

// openRecords opens paths as consecutive arrays of recSize-byte records
// starting at byte base (recSize > 0). Only regular files are opened. A
// file whose payload is not a whole number of records is reported as
// truncated, and no records at all as an error.
func openRecords(paths []string, base, recSize int64) (*recordSet, error) {
	rs := &recordSet{base: base, recSize: recSize}
	for _, p := range paths {
		f, fsize, err := regfile.Open(p)
		if err != nil {
			rs.Close()
			return nil, fmt.Errorf("data: %w", err)
		}
		size := fsize - base
		if size < 0 || size%recSize != 0 {
			f.Close()
			rs.Close()
			return nil, fmt.Errorf("data: %s: truncated or padded: %d bytes of records is not a multiple of the %d-byte record", p, size, recSize)
		}
		rs.files = append(rs.files, f)
		rs.names = append(rs.names, p)
		rs.starts = append(rs.starts, rs.n)
		rs.n += int(size / recSize)
	}
	if rs.n == 0 {
		rs.Close()
		return nil, fmt.Errorf("data: %s: no images (empty file)", paths[0])
	}
	return rs, nil
}

// locate returns the file k holding record i and the record's index j in
// that file.
func (rs *recordSet) locate(i int) (k, j int) {
	k = len(rs.starts) - 1
	for k > 0 && rs.starts[k] > i {
		k--
	}
	return k, i - rs.starts[k]
}

// read fills buf (recSize bytes) with record i.
func (rs *recordSet) read(i int, buf []byte) error {
	k, j := rs.locate(i)
	if _, err := rs.files[k].ReadAt(buf[:rs.recSize], rs.base+int64(j)*rs.recSize); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("data: %s: record %d: %w", rs.names[k], j, err)
	}
	return nil
}

// readBytes reads the byte at offset off of every record (the labels).
func (rs *recordSet) readBytes(off int) ([]byte, error) {
	out := make([]byte, 0, rs.n)
	buf := make([]byte, rs.recSize*int64(min(256, rs.n)))
	for k, f := range rs.files {
		n := rs.n - rs.starts[k]
		if k+1 < len(rs.starts) {
			n = rs.starts[k+1] - rs.starts[k]
		}
		for r := 0; r < n; r += 256 {
			m := min(256, n-r)
			b := buf[:int64(m)*rs.recSize]
			if _, err := f.ReadAt(b, rs.base+int64(r)*rs.recSize); err != nil {
				return nil, fmt.Errorf("data: %s: %w", rs.names[k], err)
			}
			for j := 0; j < m; j++ {
				out = append(out, b[int64(j)*rs.recSize+int64(off)])
			}
		}
	}
	return out, nil
}

func (rs *recordSet) Close() error {
	var first error
	for _, f := range rs.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	rs.files = nil
	return first
}

// recordDataset is a Dataset over a recordSet: each record holds an image
// (pixels at pixOff, converted to CHW by decode) and labels given up front.
type recordDataset struct {
	name    string
	c, h, w int
	classes int
	labels  []int // nil when unlabeled
	rs      *recordSet
	pixOff  int
	decode  func(rec []byte, dst []uint8) // nil: record pixels are CHW
}

func (d *recordDataset) Len() int             { return d.rs.n }
func (d *recordDataset) Shape() (c, h, w int) { return d.c, d.h, d.w }
func (d *recordDataset) NumClasses() int      { return d.classes }
func (d *recordDataset) Name() string         { return d.name }
func (d *recordDataset) Close() error         { return d.rs.Close() }
func (d *recordDataset) Label(i int) int {
	checkIndex(d.name, i, d.rs.n)
	if d.labels == nil {
		return -1
	}
	return d.labels[i]
}

func (d *recordDataset) Image(i int) (Image, error) {
	checkIndex(d.name, i, d.rs.n)
	rec := make([]byte, d.rs.recSize)
	if err := d.rs.read(i, rec); err != nil {
		return Image{}, err
	}
	n := d.c * d.h * d.w
	im := Image{C: d.c, H: d.h, W: d.w}
	if d.decode == nil {
		im.Pix = rec[d.pixOff : d.pixOff+n]
	} else {
		im.Pix = make([]uint8, n)
		d.decode(rec[d.pixOff:d.pixOff+n], im.Pix)
	}
	return im, nil
}
