package data

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"simclr-vk/internal/alloctest"
)

// mixedFolder writes a train/test image folder of RGB PNGs of several sizes
// (classes "cat", "dog") and returns its path.
func mixedFolder(t *testing.T) string {
	dir := t.TempDir()
	sizes := [][2]int{{6, 5}, {9, 12}, {4, 4}, {20, 14}}
	for i, s := range sizes {
		writePNG(t, filepath.Join(dir, "train", []string{"cat", "dog"}[i%2], string(rune('a'+i))+".png"), rgbImg(i, s[0], s[1]))
	}
	writePNG(t, filepath.Join(dir, "test", "dog", "z.png"), rgbImg(9, 7, 3))
	return dir
}

// prepared writes the mixed folder as a .svk (max side 8) and returns the
// paths and the source splits.
func prepared(t *testing.T) (svk string, src [2]Dataset) {
	dir := mixedFolder(t)
	tr, te, err := Open(dir, Options{NativeSize: true})
	if err != nil {
		t.Fatal(err)
	}
	svk = filepath.Join(t.TempDir(), "d.svk")
	calls := 0
	if err := WriteSVK(context.Background(), svk, tr, te, SVKOptions{MaxSide: 8, Workers: 3, Progress: func(done, total int) { calls++ }}); err != nil {
		t.Fatal(err)
	}
	if calls != 5 {
		t.Errorf("progress called %d times, want 5", calls)
	}
	return svk, [2]Dataset{tr, te}
}

// readAtOnly reads a .svk file with ReadAt, the path of platforms without
// mmap (and of Linux where mapping fails).
func readAtOnly(f *os.File, _ int64) svkBlob { return f }

func TestSVKRoundTrip(t *testing.T) {
	path, src := prepared(t)
	tr, te, err := Open(path, Options{}) // detected by the extension
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, tr, te, src)
	if tr, te, err = openSVK(path, readAtOnly); err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, tr, te, src)
}

// checkRoundTrip compares the .svk splits tr, te with their source and
// closes them.
func checkRoundTrip(t *testing.T, tr, te Dataset, src [2]Dataset) {
	t.Helper()
	defer tr.Close()
	defer te.Close()
	for s, ds := range []Dataset{tr, te} {
		want := src[s]
		if ds.Len() != want.Len() || ds.NumClasses() != 2 || !slices.Equal(ds.(Classer).Classes(), []string{"cat", "dog"}) {
			t.Fatalf("%s: %d images, %d classes %v", ds.Name(), ds.Len(), ds.NumClasses(), ds.(Classer).Classes())
		}
		for i := range ds.Len() {
			w, err := want.Image(i)
			if err != nil {
				t.Fatal(err)
			}
			if min(w.H, w.W) > 8 { // stored at max side 8, never upscaled
				w = ResizeShorter(w, 8)
			}
			got, err := ds.Image(i)
			if err != nil {
				t.Fatal(err)
			}
			h, wd := ds.(Sized).ImageSize(i)
			if got.C != 3 || got.H != w.H || got.W != w.W || h != w.H || wd != w.W || !bytes.Equal(got.Pix, w.Pix) || ds.Label(i) != want.Label(i) {
				t.Fatalf("%s image %d: %dx%d (index %dx%d) label %d, want %dx%d label %d or other pixels",
					ds.Name(), i, got.H, got.W, h, wd, ds.Label(i), w.H, w.W, want.Label(i))
			}
		}
	}
	// Sizes 6x5, 9x12 -> 8x10, 4x4, 20x14 -> 11x8: nominal side 4.
	if c, h, w := tr.Shape(); c != 3 || h != 4 || w != 4 || !VariesInSize(tr) || VariesInSize(te) || tr.Name() != "d/train" {
		t.Errorf("train shape %dx%dx%d varies %v, test varies %v, name %s", c, h, w, VariesInSize(tr), VariesInSize(te), tr.Name())
	}
	if h, w := tr.(Sized).ImageSize(3); h != 11 || w != 8 {
		t.Errorf("20x14 stored as %dx%d, want 11x8", h, w)
	}
	// A subset keeps the per-image sizes.
	sub := Subset(tr, 2, 1)
	for i := range sub.Len() {
		im, _ := sub.Image(i)
		if h, w := sub.(Sized).ImageSize(i); h != im.H || w != im.W || !VariesInSize(sub) {
			t.Errorf("subset image %d: size %dx%d, image %dx%d", i, h, w, im.H, im.W)
		}
	}
}

func TestSVKDetectAndOneSplit(t *testing.T) {
	path, src := prepared(t)
	te := src[1]
	// Detected by its magic under another name, and one split alone.
	other := filepath.Join(t.TempDir(), "renamed.bin")
	one := filepath.Join(t.TempDir(), "one.svk")
	b, _ := os.ReadFile(path)
	write(t, other, b)
	if f, _, err := Detect(other); err != nil || f != "svk" {
		t.Errorf("detect by magic: %q %v", f, err)
	}
	must(t, WriteSVK(context.Background(), one, te, nil, SVKOptions{}))
	if a, b, err := Open(one, Options{}); err != nil || b != nil || a.Len() != 1 || a.Label(0) != 1 {
		t.Errorf("one split: %v %v %v", a, b, err)
	}
}

// fixCRCs recomputes the header and index CRCs of a .svk image b where its
// lengths allow, so that a test reaches the checks behind them.
func fixCRCs(b []byte) {
	le := binary.LittleEndian
	if len(b) < svkFixed+svkTrailer {
		return
	}
	if l := int(le.Uint32(b[12:])); l >= 4 && svkFixed+l <= len(b) {
		le.PutUint32(b[svkFixed+l-4:], crc32.Checksum(b[:svkFixed+l-4], castagnoli))
	}
	tr := b[len(b)-svkTrailer:]
	if o := le.Uint64(tr); o <= uint64(len(b)-svkTrailer) {
		le.PutUint32(tr[8:], crc32.Checksum(b[o:len(b)-svkTrailer], castagnoli))
	}
}

// openBytes writes b as a .svk file and opens it, reading every image.
func openBytes(t *testing.T, b []byte) (string, error) {
	path := filepath.Join(t.TempDir(), "x.svk")
	write(t, path, b)
	return path, openWithin(t, path, Options{})
}

func TestSVKCorrupt(t *testing.T) {
	path, _ := prepared(t)
	good, _ := os.ReadFile(path)
	hlen := int(binary.LittleEndian.Uint32(good[12:]))
	ioff := int(binary.LittleEndian.Uint64(good[len(good)-svkTrailer:]))
	for n := 0; n < len(good); n += 1 + n/3 {
		p, err := openBytes(t, good[:n])
		wantErr(t, err, p)
		_, _, err = openSVK(p, readAtOnly)
		wantErr(t, err, p)
	}
	edit := func(what string, f func(b []byte), fix bool, subs ...string) {
		b := slices.Clone(good)
		f(b)
		if fix {
			fixCRCs(b)
		}
		p, err := openBytes(t, b)
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		wantErr(t, err, append(subs, p)...)
	}
	le := binary.LittleEndian
	edit("magic", func(b []byte) { b[1] = 'X' }, false, "wrong magic")
	edit("version", func(b []byte) { le.PutUint32(b[8:], 2) }, false, "version 2")
	edit("header byte", func(b []byte) { b[svkFixed+3]++ }, false, "header checksum")
	edit("index byte", func(b []byte) { b[ioff+9]++ }, false, "index checksum")
	edit("pixel byte", func(b []byte) { b[svkFixed+hlen+7]++ }, false, "train image 0", "checksum")
	edit("end marker", func(b []byte) { b[len(b)-1] = 0 }, false, "end marker")
	edit("channels", func(b []byte) { le.PutUint32(b[16:], 2) }, true, "2 channels")
	edit("splits", func(b []byte) { le.PutUint32(b[24:], 3) }, true, "3 splits")
	edit("label", func(b []byte) { le.PutUint32(b[ioff+16:], 2) }, true, "label 2 outside")
	edit("offset", func(b []byte) { le.PutUint64(b[ioff+svkEntrySz:], uint64(svkFixed+hlen)) }, true, "image 1", "expected at")
	edit("height", func(b []byte) { le.PutUint32(b[ioff+8:], 7) }, true, "image 1", "expected at")
	edit("index offset", func(b []byte) { le.PutUint64(b[len(b)-svkTrailer:], 3) }, true, "index offset 3")
}

// TestSVKHostileSizes gives sizes far beyond the file: each is refused
// before anything of that size is allocated.
func TestSVKHostileSizes(t *testing.T) {
	path, _ := prepared(t)
	good, _ := os.ReadFile(path)
	ioff := int(binary.LittleEndian.Uint64(good[len(good)-svkTrailer:]))
	le := binary.LittleEndian
	for _, c := range []struct {
		what string
		f    func(b []byte)
		sub  string
	}{
		{"header length", func(b []byte) { le.PutUint32(b[12:], 1<<31) }, "header length"},
		{"classes", func(b []byte) { le.PutUint32(b[20:], MaxClasses) }, "class names cannot fit"},
		{"too many classes", func(b []byte) { le.PutUint32(b[20:], 1<<31) }, "more than the limit"},
		{"image count", func(b []byte) { le.PutUint64(b[svkFixed:], 1<<60) }, "claims 1152921504606846976 images"},
		{"index offset", func(b []byte) { le.PutUint64(b[len(b)-svkTrailer:], 1<<62) }, "index offset"},
		{"image side", func(b []byte) { le.PutUint32(b[ioff+8:], 1<<30) }, "above the limit"},
		{"image area", func(b []byte) { le.PutUint32(b[ioff+8:], 10000); le.PutUint32(b[ioff+12:], 10000) }, "above the limit"},
		{"pixels", func(b []byte) { le.PutUint32(b[ioff+8:], 1000); le.PutUint32(b[ioff+12:], 1000) }, "expected at"},
	} {
		b := slices.Clone(good)
		c.f(b)
		fixCRCs(b)
		p := filepath.Join(t.TempDir(), "x.svk")
		write(t, p, b)
		alloctest.Max(t, c.what, len(b), alloctest.Linear(len(b), 16, 1<<16), func() {
			_, _, err := OpenSVK(p)
			if err == nil || !strings.Contains(err.Error(), c.sub) || !strings.Contains(err.Error(), p) {
				t.Errorf("%s: error %v, want one naming %s and %q", c.what, err, p, c.sub)
			}
		})
	}
}

// failing fails reading image bad.
type failing struct {
	Dataset
	bad int
}

func (f failing) Image(i int) (Image, error) {
	if i == f.bad {
		return Image{}, errors.New("disk on fire")
	}
	return f.Dataset.Image(i)
}

func TestSVKInterruptedPrepare(t *testing.T) {
	tr, _, err := Open(mixedFolder(t), Options{NativeSize: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "d.svk")
	err = WriteSVK(context.Background(), path, failing{tr, 2}, nil, SVKOptions{Workers: 2})
	wantErr(t, err, "disk on fire", path)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("a failed prepare left %v", ents)
	}
	// Cancelled (Ctrl-C in prepare) after 2 images: no file either.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = WriteSVK(ctx, path, tr, nil, SVKOptions{Workers: 2, Progress: func(done, _ int) {
		if done == 2 {
			cancel()
		}
	}})
	wantErr(t, err, "interrupted after 2 of 4 images", path)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("a cancelled prepare left %v", ents)
	}
	// A previous file stays as it was.
	must(t, WriteSVK(context.Background(), path, tr, nil, SVKOptions{}))
	before, _ := os.ReadFile(path)
	wantErr(t, WriteSVK(context.Background(), path, failing{tr, 0}, nil, SVKOptions{Workers: 1}), "disk on fire")
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a failed prepare changed the previous file")
	}
}

func FuzzSVK(f *testing.F) {
	dir := f.TempDir()
	tr := &memDataset{name: "m", c: 1, h: 2, w: 3, n: 2, classes: 2, labels: []int{1, 0}, pix: idxPix(2, 2, 3)}
	p := filepath.Join(dir, "s.svk")
	if err := WriteSVK(context.Background(), p, tr, tr, SVKOptions{}); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	f.Add(b, false)
	f.Add(b[:len(b)-5], true)
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		if fix {
			fixCRCs(b)
		}
		path := filepath.Join(t.TempDir(), "f.svk")
		write(t, path, b)
		run := func() {
			train, test, err := OpenSVK(path)
			if err != nil {
				return
			}
			checkDataset(t, train)
			checkDataset(t, test)
		}
		if got := alloctest.Bytes(run); got > allocBound(len(b)) {
			if got = alloctest.Bytes(run); got > allocBound(len(b)) {
				t.Fatalf("allocated %d bytes, above the bound of %d", got, allocBound(len(b)))
			}
		}
	})
}
