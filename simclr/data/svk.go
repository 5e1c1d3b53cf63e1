package data

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"simclr-vk/internal/regfile"
)

// The .svk file (version 1) holds a prepared dataset: uint8 CHW pixels of
// every image of one or two splits, each at its stored size, with labels
// and class names, read back through a memory map. All integers are
// little-endian; CRC is CRC-32C (Castagnoli).
//
//	offset 0   magic "\x89SVK\r\n\x1a\n" (8 bytes)
//	       8   u32 version (1)
//	      12   u32 header length L: the bytes from offset 32 to the pixels
//	      16   u32 channels C (1 or 3)
//	      20   u32 classes K (0: unlabeled, at most MaxClasses)
//	      24   u32 splits S (1: train; 2: train then test)
//	      28   u32 max side (prepare --max-side; 0: sizes kept)
//	      32   per split: u64 image count, u16 name length, name bytes;
//	           per class: u16 name length, name bytes (may be empty);
//	           u32 CRC of bytes 0 .. 32+L-4
//	    32+L   pixels: every image of split 0, then split 1, C*H*W bytes
//	           each, contiguous
//	  index    per image, in the same order, 24 bytes: u64 file offset of
//	           its pixels, u32 H, u32 W, i32 label (-1: none), u32 CRC of
//	           its pixels
//	size-24    trailer: u64 index offset, u32 CRC of the index, u32 zero,
//	           "SVK-END\n"
const (
	svkMagic    = "\x89SVK\r\n\x1a\n"
	svkEnd      = "SVK-END\n"
	svkVersion  = 1
	svkFixed    = 32
	svkEntrySz  = 24
	svkTrailer  = 24
	maxSVKSplit = 2
	// maxSVKHeader bounds the variable header (split and class names):
	// MaxClasses names of 255 bytes fit.
	maxSVKHeader = 1 << 25
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// svkBlob reads the file: a memory map on Linux, the file elsewhere.
type svkBlob interface {
	io.ReaderAt
	io.Closer
}

// svkEntry is one index entry.
type svkEntry struct {
	off   int64
	h, w  int32
	label int32
	crc   uint32
}

// svkFile is an open .svk file shared by its splits; closed with the last.
type svkFile struct {
	path    string
	r       svkBlob
	c       int
	classes []string
	maxSide int
	mu      sync.Mutex
	refs    int
}

func (f *svkFile) release() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refs--; f.refs == 0 {
		return f.r.Close()
	}
	return nil
}

// SVK is one split of a .svk file: a Dataset whose images come back at
// their stored size (it implements Sized).
type SVK struct {
	f       *svkFile
	name    string
	entries []svkEntry
	h, w    int
	varies  bool
	once    sync.Once
}

// svkErr formats an error naming the file.
func svkErr(path, format string, a ...any) error {
	return fmt.Errorf("data: %s: "+format, append([]any{path}, a...)...)
}

// IsSVK reports whether the file at path starts with the .svk magic.
func IsSVK(path string) bool {
	fh, _, err := regfile.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	var b [len(svkMagic)]byte
	_, err = io.ReadFull(fh, b[:])
	return err == nil && string(b[:]) == svkMagic
}

// OpenSVK opens a .svk file written by WriteSVK. Every size in it is
// checked against the file's size before anything is allocated, the
// header and index against their CRCs, and each image's pixels against
// its CRC when read. test is nil when the file holds one split.
func OpenSVK(path string) (train, test Dataset, err error) {
	return openSVK(path, mapFile)
}

// openSVK is OpenSVK reading the file through open's result (mapFile, or
// in tests the plain file).
func openSVK(path string, open func(*os.File, int64) svkBlob) (train, test Dataset, err error) {
	fh, size, err := regfile.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	f := &svkFile{path: path, r: open(fh, size)}
	splits, err := f.parse(size)
	if err != nil {
		f.r.Close()
		return nil, nil, err
	}
	f.refs = len(splits)
	if len(splits) == 2 {
		return splits[0], splits[1], nil
	}
	return splits[0], nil, nil
}

// read reads n bytes at off; n was checked against the file size.
func (f *svkFile) read(off int64, n int, what string) ([]byte, error) {
	b := make([]byte, n)
	if _, err := f.r.ReadAt(b, off); err != nil {
		return nil, svkErr(f.path, "reading the %s: %v", what, err)
	}
	return b, nil
}

// cursor reads the variable header with bounds checks.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) take(n int) []byte {
	if c.bad || n > len(c.b) {
		c.bad = true
		return nil
	}
	p := c.b[:n]
	c.b = c.b[n:]
	return p
}
func (c *cursor) u16() int {
	if p := c.take(2); p != nil {
		return int(binary.LittleEndian.Uint16(p))
	}
	return 0
}
func (c *cursor) u64() uint64 {
	if p := c.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}
func (c *cursor) str() string { return string(c.take(c.u16())) }

// parse checks the header, trailer and index and returns the splits.
func (f *svkFile) parse(size int64) ([]*SVK, error) {
	p := f.path
	if size < svkFixed+4+svkTrailer {
		return nil, svkErr(p, "%d bytes, too short for a .svk file (truncated?)", size)
	}
	fixed, err := f.read(0, svkFixed, "header")
	if err != nil {
		return nil, err
	}
	if string(fixed[:8]) != svkMagic {
		return nil, svkErr(p, "not a .svk file (wrong magic)")
	}
	u32 := func(o int) uint32 { return binary.LittleEndian.Uint32(fixed[o:]) }
	if v := u32(8); v != svkVersion {
		return nil, svkErr(p, ".svk version %d, this build reads version %d", v, svkVersion)
	}
	hlen := int64(u32(12))
	if hlen < 4 || hlen > maxSVKHeader || svkFixed+hlen > size-svkTrailer {
		return nil, svkErr(p, "header length %d does not fit the file's %d bytes (truncated or corrupt)", hlen, size)
	}
	f.c, f.maxSide = int(u32(16)), int(u32(28))
	classes, nsplit := int64(u32(20)), int64(u32(24))
	vh, err := f.read(svkFixed, int(hlen), "header")
	if err != nil {
		return nil, err
	}
	sum := crc32.Update(crc32.Checksum(fixed, castagnoli), castagnoli, vh[:hlen-4])
	if sum != binary.LittleEndian.Uint32(vh[hlen-4:]) {
		return nil, svkErr(p, "header checksum mismatch (corrupt file)")
	}
	switch {
	case f.c != 1 && f.c != 3:
		return nil, svkErr(p, "%d channels, want 1 or 3", f.c)
	case classes > MaxClasses:
		return nil, svkErr(p, "%d classes, more than the limit of %d", classes, MaxClasses)
	case nsplit < 1 || nsplit > maxSVKSplit:
		return nil, svkErr(p, "%d splits, want 1 or 2", nsplit)
	case 2*classes > hlen: // each name takes at least its 2-byte length
		return nil, svkErr(p, "%d class names cannot fit a %d-byte header", classes, hlen)
	}
	cur := &cursor{b: vh[:hlen-4]}
	counts := make([]uint64, nsplit)
	names := make([]string, nsplit)
	for s := range counts {
		counts[s], names[s] = cur.u64(), cur.str()
	}
	f.classes = make([]string, classes)
	for k := range f.classes {
		f.classes[k] = cur.str()
	}
	if cur.bad || len(cur.b) != 0 {
		return nil, svkErr(p, "header of %d bytes does not hold %d split and %d class entries exactly (corrupt file)", hlen, nsplit, classes)
	}
	tr, err := f.read(size-svkTrailer, svkTrailer, "trailer")
	if err != nil {
		return nil, err
	}
	if string(tr[16:]) != svkEnd {
		return nil, svkErr(p, "no end marker (truncated file: an interrupted prepare?)")
	}
	data, ioff := svkFixed+hlen, int64(binary.LittleEndian.Uint64(tr))
	end := size - svkTrailer
	if ioff < data || ioff > end {
		return nil, svkErr(p, "index offset %d outside [%d, %d] (corrupt file)", ioff, data, end)
	}
	ilen := end - ioff
	var total uint64
	for s, n := range counts {
		if n > uint64(ilen)/svkEntrySz || total+n > uint64(ilen)/svkEntrySz {
			return nil, svkErr(p, "split %q claims %d images, the index holds %d bytes (%d per image)", names[s], n, ilen, svkEntrySz)
		}
		if n == 0 {
			return nil, svkErr(p, "split %q has no images", names[s])
		}
		total += n
	}
	if total*svkEntrySz != uint64(ilen) {
		return nil, svkErr(p, "index of %d bytes, %d images need %d (corrupt file)", ilen, total, total*svkEntrySz)
	}
	ib, err := f.read(ioff, int(ilen), "index")
	if err != nil {
		return nil, err
	}
	if crc32.Checksum(ib, castagnoli) != binary.LittleEndian.Uint32(tr[8:]) {
		return nil, svkErr(p, "index checksum mismatch (corrupt file)")
	}
	next := data
	out := make([]*SVK, nsplit)
	for s := range out {
		d := &SVK{f: f, name: strings.TrimSuffix(filepath.Base(p), ".svk") + "/" + names[s], entries: make([]svkEntry, counts[s])}
		sizes := make([]image.Point, len(d.entries))
		for i := range d.entries {
			b := ib[:svkEntrySz]
			ib = ib[svkEntrySz:]
			e := svkEntry{off: int64(binary.LittleEndian.Uint64(b)), h: int32(binary.LittleEndian.Uint32(b[8:])), w: int32(binary.LittleEndian.Uint32(b[12:])),
				label: int32(binary.LittleEndian.Uint32(b[16:])), crc: binary.LittleEndian.Uint32(b[20:])}
			if err := checkShape(fmt.Sprintf("%s: %s image %d", p, names[s], i), int(e.h), int(e.w)); err != nil {
				return nil, err
			}
			if e.label < -1 || int64(e.label) >= classes {
				return nil, svkErr(p, "%s image %d has label %d outside [-1, %d) (corrupt file)", names[s], i, e.label, classes)
			}
			n := int64(f.c) * int64(e.h) * int64(e.w)
			if e.off != next || n > ioff-next {
				return nil, svkErr(p, "%s image %d: %d pixel bytes at offset %d, expected at %d before the index at %d (corrupt file)", names[s], i, n, e.off, next, ioff)
			}
			next += n
			d.entries[i] = e
			sizes[i] = image.Point{X: int(e.w), Y: int(e.h)}
		}
		d.h, d.w, d.varies = nominalSize(sizes)
		out[s] = d
	}
	if next != ioff {
		return nil, svkErr(p, "%d bytes between the last image and the index (corrupt file)", ioff-next)
	}
	return out, nil
}

func (d *SVK) Len() int             { return len(d.entries) }
func (d *SVK) Shape() (c, h, w int) { return d.f.c, d.h, d.w }
func (d *SVK) NumClasses() int      { return len(d.f.classes) }
func (d *SVK) Name() string         { return d.name }

// Classes returns the class names in label order (empty names where the
// source had none; nil when unlabeled).
func (d *SVK) Classes() []string {
	if len(d.f.classes) == 0 {
		return nil
	}
	return d.f.classes
}

// MaxSide is the shorter-side bound the file was prepared with (0: none).
func (d *SVK) MaxSide() int { return d.f.maxSide }

// SizesVary reports whether the split's images differ in size.
func (d *SVK) SizesVary() bool { return d.varies }

// ImageSize is the stored size of image i.
func (d *SVK) ImageSize(i int) (h, w int) {
	checkIndex(d.name, i, len(d.entries))
	return int(d.entries[i].h), int(d.entries[i].w)
}

func (d *SVK) Label(i int) int {
	checkIndex(d.name, i, len(d.entries))
	return int(d.entries[i].label)
}

// Image copies image i's stored pixels and checks them against their CRC.
func (d *SVK) Image(i int) (Image, error) {
	checkIndex(d.name, i, len(d.entries))
	e := d.entries[i]
	im := Image{C: d.f.c, H: int(e.h), W: int(e.w)}
	im.Pix = make([]uint8, im.C*im.H*im.W)
	if _, err := d.f.r.ReadAt(im.Pix, e.off); err != nil {
		return Image{}, svkErr(d.f.path, "%s image %d: %v", d.name, i, err)
	}
	if crc32.Checksum(im.Pix, castagnoli) != e.crc {
		return Image{}, svkErr(d.f.path, "%s image %d: pixels do not match their checksum (corrupt file)", d.name, i)
	}
	return im, nil
}

// Close releases the file when the other split is closed too.
func (d *SVK) Close() error {
	var err error
	d.once.Do(func() { err = d.f.release() })
	return err
}
