package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"simclr-vk/internal/alloctest"
	"simclr-vk/internal/filetest"
	"simclr-vk/simclr/npy"
)

// pngHeader returns a PNG signature and IHDR chunk declaring a w x h 8-bit
// gray image, then IEND: enough for image.DecodeConfig.
func pngHeader(w, h uint32) []byte {
	chunk := func(b []byte, typ string, data []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		start := len(b)
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0)
	b := chunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	return chunk(b, "IEND", nil)
}

// npyWithDict is a version 1.0 .npy file with the given header dict.
func npyWithDict(dict string, data []byte) []byte {
	b := append([]byte("\x93NUMPY"), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)+1))
	return append(append(append(b, dict...), '\n'), data...)
}

// openWithin runs Open and fails the test instead of hanging when it does
// not return in time (a FIFO opened for reading blocks until a writer
// comes).
func openWithin(t *testing.T, path string, opts Options) error {
	t.Helper()
	var err error
	filetest.Returns(t, 20*time.Second, "Open("+path+")", func() {
		var tr, te Dataset
		if tr, te, err = Open(path, opts); err != nil {
			return
		}
		// Every image must read: a lazily read reader may defer the
		// failure to Image.
		for _, ds := range []Dataset{tr, te} {
			for i := 0; ds != nil && i < ds.Len() && err == nil; i++ {
				_, err = ds.Image(i)
			}
		}
	})
	return err
}

func TestHostileInputs(t *testing.T) {
	gzIDX := func(hdr []uint32, data []byte) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		binary.Write(zw, binary.BigEndian, hdr)
		zw.Write(data)
		zw.Close()
		return b.Bytes()
	}
	idx := func(hdr []uint32, data []byte) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.BigEndian, hdr)
		b.Write(data)
		return b.Bytes()
	}
	badCRC := gzIDX([]uint32{idxImagesMagic, 1, 2, 2}, []byte{1, 2, 3, 4})
	badCRC[len(badCRC)-8] ^= 1
	var l64 []byte
	for _, l := range []int64{1, 1 << 40} {
		l64 = binary.LittleEndian.AppendUint64(l64, uint64(l))
	}
	var bigPNG bytes.Buffer
	must(t, png.Encode(&bigPNG, image.NewGray(image.Rect(0, 0, 2, 2))))
	cases := []struct {
		name   string
		format string
		files  map[string][]byte // nil content: a FIFO
		size   int
		want   []string
	}{
		{"npy zero height", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 0, 4), }", nil)},
			0, []string{"x_train.npy", "zero dimension"}},
		{"npy no images", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 4, 4), }", nil)},
			0, []string{"x_train.npy", "no images"}},
		{"npy huge image dims", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 100000, 100000), }", nil)},
			0, []string{"x_train.npy", "above the limit of 89478485 pixels"}},
		{"npy dims overflow", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (4611686018427387904, 2, 3), }", nil)},
			0, []string{"x_train.npy", "overflows int64"}},
		{"npy negative dim", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (-1, 2, 2), }", nil)},
			0, []string{"x_train.npy", "bad shape", "not a non-negative integer"}},
		{"npy header beyond file", "npy", map[string][]byte{"x_train.npy": append([]byte("\x93NUMPY\x02\x00"), 0xff, 0xff, 0x0f, 0, '{')},
			0, []string{"x_train.npy", "truncated header: length field says 1048575 bytes, file has 1"}},
		{"npy fortran", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': True, 'shape': (1, 1, 1), }", []byte{0})},
			0, []string{"x_train.npy", "C-order"}},
		{"npy wrong dtype", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", make([]byte, 8))},
			0, []string{"x_train.npy", "dtype \"<f8\""}},
		{"npy trailing data", "npy", map[string][]byte{"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1), }", []byte{0, 0})},
			0, []string{"x_train.npy", "trailing bytes"}},
		// n*8 wraps to 16: the old reader took it for 2 labels' bytes and
		// allocated 2^61 ints.
		{"npy label count overflow", "npy", map[string][]byte{
			"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 1), }", []byte{0, 0}),
			"y_train.npy": npyWithDict("{'descr': '<i8', 'fortran_order': False, 'shape': (2305843009213693954,), }", make([]byte, 16))},
			0, []string{"y_train.npy", "shape [2305843009213693954] of 8-byte items overflows int64"}},
		{"npy absurd label", "npy", map[string][]byte{
			"x_train.npy": npyWithDict("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 1), }", []byte{0, 0}),
			"y_train.npy": npyWithDict("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", l64)},
			0, []string{"y_train.npy", "label 1099511627776 of image 1 is outside [0, 65536)"}},
		{"npy fifo", "npy", map[string][]byte{"x_train.npy": nil}, 0, []string{"x_train.npy", "named pipe"}},
		{"idx zero dim", "idx", map[string][]byte{"train-images-idx3-ubyte": idx([]uint32{idxImagesMagic, 5, 0, 3}, nil)},
			0, []string{"train-images-idx3-ubyte", "zero dimension"}},
		{"idx huge dims", "idx", map[string][]byte{"train-images-idx3-ubyte": idx([]uint32{idxImagesMagic, 1, 1 << 20, 1 << 20}, nil)},
			0, []string{"train-images-idx3-ubyte", "above the limit"}},
		{"idx labels beyond file", "idx", map[string][]byte{
			"train-images-idx3-ubyte": idx([]uint32{idxImagesMagic, 1, 1, 1}, []byte{0}),
			"train-labels-idx1-ubyte": idx([]uint32{idxLabelsMagic, 0xffffffff}, []byte{0})},
			0, []string{"train-labels-idx1-ubyte", "truncated", "need 4294967295 bytes, file has 1"}},
		{"idx gz beyond ratio", "idx", map[string][]byte{"train-images-idx3-ubyte.gz": gzIDX([]uint32{idxImagesMagic, 0x7fffffff, 28, 28}, nil)},
			0, []string{"train-images-idx3-ubyte.gz", "maximal ratio of 1032:1"}},
		{"idx gz shortfall", "idx", map[string][]byte{"train-images-idx3-ubyte.gz": gzIDX([]uint32{idxImagesMagic, 10, 4, 4}, make([]byte, 100))},
			0, []string{"train-images-idx3-ubyte.gz", "truncated", "need 160 bytes, the data ends after 100"}},
		{"idx gz surplus", "idx", map[string][]byte{"train-images-idx3-ubyte.gz": gzIDX([]uint32{idxImagesMagic, 1, 4, 4}, make([]byte, 17))},
			0, []string{"train-images-idx3-ubyte.gz", "trailing bytes"}},
		{"idx gz checksum", "idx", map[string][]byte{"train-images-idx3-ubyte.gz": badCRC},
			0, []string{"train-images-idx3-ubyte.gz", "checksum"}},
		{"idx fifo", "idx", map[string][]byte{"train-images-idx3-ubyte": nil}, 0, []string{"train-images-idx3-ubyte", "named pipe"}},
		{"cifar fifo", "cifar10", map[string][]byte{"data_batch_1.bin": nil}, 0, []string{"data_batch_1.bin", "named pipe"}},
		{"cifar empty", "cifar10", map[string][]byte{"data_batch_1.bin": {}}, 0, []string{"data_batch_1.bin", "no images"}},
		{"stl labels fifo", "stl10", map[string][]byte{"train_X.bin": make([]byte, 3*96*96), "train_y.bin": nil},
			0, []string{"train_y.bin", "named pipe"}},
		{"png 100000x100000", "folder", map[string][]byte{"a.png": pngHeader(100000, 100000)},
			0, []string{"a.png", "image size 100000x100000 is above the limit of 89478485 pixels"}},
		{"png header beyond file", "folder", map[string][]byte{"a.png": pngHeader(4000, 4000)},
			0, []string{"a.png", "cannot be held in 45 bytes"}},
		{"png zero width", "folder", map[string][]byte{"a.png": pngHeader(0, 5)}, 0, []string{"a.png"}},
		{"png fifo", "folder", map[string][]byte{"a.png": nil, "b.png": bigPNG.Bytes()}, 0, []string{"a.png", "named pipe"}},
		{"folder image size", "folder", map[string][]byte{"a.png": bigPNG.Bytes()}, 100000, []string{"image size 100000 outside [0, 9459]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range c.files {
				if b == nil {
					filetest.FIFO(t, filepath.Join(dir, name))
				} else {
					write(t, filepath.Join(dir, name), b)
				}
			}
			err := openWithin(t, dir, Options{Format: c.format, ImageSize: c.size})
			wantErr(t, err, c.want...)
		})
	}
}

// A symlink loop in an image folder (a class folder linking to its parent,
// an image linking to itself) neither recurses nor hangs.
func TestFolderSymlinkLoops(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	must(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3))))
	write(t, filepath.Join(dir, "cat", "a.png"), b.Bytes())
	must(t, os.Symlink("..", filepath.Join(dir, "cat", "up")))
	must(t, os.Symlink("..", filepath.Join(dir, "cat", "up.png")))
	err := openWithin(t, dir, Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink("self.png", filepath.Join(dir, "cat", "self.png")))
	err = openWithin(t, dir, Options{})
	wantErr(t, err, "self.png", "too many levels of symbolic links")
	wantErr(t, err, "up.png", "not a regular file (a directory)")
}

// A .gz IDX file whose stream holds far more than its header promises
// (64 MiB of zeros behind a 1x4x4 header) is refused after reading what
// the header promises plus one byte, not after inflating all of it.
func TestIDXGzipSurplusIsNotInflated(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	fh, err := os.Create(p)
	must(t, err)
	zw := gzip.NewWriter(fh)
	must(t, binary.Write(zw, binary.BigEndian, []uint32{idxImagesMagic, 1, 4, 4}))
	zero := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		zw.Write(zero)
	}
	must(t, zw.Close())
	must(t, fh.Close())
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, _, _, _, err = ReadIDXImages(p)
	runtime.ReadMemStats(&m1)
	wantErr(t, err, "train-images-idx3-ubyte.gz", "trailing bytes")
	if d := m1.TotalAlloc - m0.TotalAlloc; d > 4<<20 {
		t.Fatalf("refusing a 64 MiB surplus allocated %d bytes", d)
	}
}

// Files far larger than their content needs (a PNG followed by 256 MiB, an
// STL-10 label file of 1 GiB; sparse, so cheap to make) are not read whole.
func TestOversizedFilesAreNotReadWhole(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	must(t, png.Encode(&b, grayImg(1, 4, 6)))
	p := filepath.Join(dir, "flat", "a.png")
	write(t, p, b.Bytes())
	must(t, os.Truncate(p, 256<<20))
	ds, _, err := Open(filepath.Join(dir, "flat"), Options{})
	must(t, err)
	if got := alloctest.Bytes(func() { _, err = ds.Image(0) }); err != nil || got > 4<<20 {
		t.Fatalf("decoding a 4x6 PNG padded to 256 MiB: %v, allocated %d bytes", err, got)
	}
	stl := filepath.Join(dir, "stl")
	write(t, filepath.Join(stl, "train_X.bin"), stlImages(1, 0))
	write(t, filepath.Join(stl, "train_y.bin"), []byte{1})
	must(t, os.Truncate(filepath.Join(stl, "train_y.bin"), 1<<30))
	if got := alloctest.Bytes(func() { _, _, err = Open(stl, Options{}) }); got > 4<<20 {
		t.Fatalf("a 1 GiB STL-10 label file for 1 image allocated %d bytes", got)
	}
	wantErr(t, err, "train_y.bin", "1073741824 labels for 1 images")
}

// More class folders than MaxClasses are refused (checked through a class
// list, as a test split gets the training split's, to avoid making 65537
// folders).
func TestFolderClassLimit(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	must(t, png.Encode(&b, grayImg(1, 2, 2)))
	write(t, filepath.Join(dir, "c0", "a.png"), b.Bytes())
	classes := make([]string, MaxClasses+1)
	for i := range classes {
		classes[i] = "c" + strconv.Itoa(i)
	}
	_, err := scanFolder("t", dir, Options{}, classes)
	wantErr(t, err, "65537 class folders, more than the limit of 65536")
	if _, err := scanFolder("t", dir, Options{}, classes[:MaxClasses]); err != nil {
		t.Fatal(err)
	}
}

// Class folders that are symbolic links (a dataset assembled with ln -s per
// class) are classes like any other, not silently dropped; a top-level link
// to the folder itself is one more class whose own links are not followed.
func TestFolderSymlinkedClasses(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	var b bytes.Buffer
	must(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3))))
	write(t, filepath.Join(src, "cat", "a.png"), b.Bytes())
	write(t, filepath.Join(src, "dog", "b.png"), b.Bytes())
	write(t, filepath.Join(src, "dog", "c.png"), b.Bytes())
	must(t, os.Symlink(filepath.Join(src, "cat"), filepath.Join(dir, "cat")))
	must(t, os.Symlink(filepath.Join(src, "dog"), filepath.Join(dir, "dog")))
	f, err := scanFolder("t", dir, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.classes) != 2 || len(f.files) != 3 {
		t.Fatalf("classes %v, files %v: want 2 classes and 3 images", f.classes, f.files)
	}
	if f.labels[0] != 0 || f.labels[1] != 1 || f.labels[2] != 1 {
		t.Fatalf("labels %v, want [0 1 1]", f.labels)
	}
}

// TestNpySparseLabelsNotRead: a labels .npy extended by a hole (a sparse
// file), or whose header promises far more labels than there are images
// with a file (sparse) of the matching size, is refused from its header
// and size before its data is read, allocating next to nothing.
func TestNpySparseLabelsNotRead(t *testing.T) {
	dir := t.TempDir()
	images := filepath.Join(dir, "x.npy")
	if err := WriteNpy(images, "|u1", []int{2, 4, 4}, make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	labels := NpyLabelsPath(images)
	for _, tc := range []struct {
		shape []int
		want  string
	}{
		{[]int{2}, "trailing bytes"},
		{[]int{8 << 20}, "8388608 labels for 2 images"},
	} {
		hdr := npy.EncodeHeader("<i8", tc.shape)
		if err := os.WriteFile(labels, hdr, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(labels, int64(len(hdr))+64<<20); err != nil {
			t.Skipf("truncate: %v", err)
		}
		var err error
		if got := alloctest.Bytes(func() { _, _, err = Open(images, Options{}) }); got > 1<<20 {
			t.Errorf("labels %v: allocated %d bytes", tc.shape, got)
		}
		wantErr(t, err, "x_labels.npy", tc.want)
	}
}
