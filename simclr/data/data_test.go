package data

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pattern is a deterministic pixel value for image i, channel c, row y,
// column x.
func pattern(i, c, y, x int) uint8 { return uint8(i*37 + c*11 + y*5 + x*3) }

// checkImage compares image i of ds with pattern.
func checkImage(t *testing.T, ds Dataset, i int) {
	t.Helper()
	im, err := ds.Image(i)
	if err != nil {
		t.Fatal(err)
	}
	c, h, w := ds.Shape()
	if im.C != c || im.H != h || im.W != w || len(im.Pix) != c*h*w {
		t.Fatalf("%s image %d: shape %dx%dx%d len %d, want %dx%dx%d", ds.Name(), i, im.C, im.H, im.W, len(im.Pix), c, h, w)
	}
	bad := 0
	for k := 0; k < c; k++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if got, want := im.At(k, y, x), pattern(i, k, y, x); got != want && bad < 5 {
					t.Errorf("%s image %d (c %d, y %d, x %d) = %d, want %d", ds.Name(), i, k, y, x, got, want)
					bad++
				}
			}
		}
	}
}

func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not contain %q", err, s)
		}
	}
}

// cifarRecords writes n records with the given label bytes per record.
func cifarRecords(n, first int, labels func(i int) []byte) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		b = append(b, labels(first+i)...)
		for c := 0; c < 3; c++ {
			for y := 0; y < 32; y++ {
				for x := 0; x < 32; x++ {
					b = append(b, pattern(first+i, c, y, x))
				}
			}
		}
	}
	return b
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCIFAR10(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "cifar-10-batches-bin")
	lab := func(i int) []byte { return []byte{byte(i % 10)} }
	write(t, filepath.Join(dir, "data_batch_1.bin"), cifarRecords(3, 0, lab))
	write(t, filepath.Join(dir, "data_batch_2.bin"), cifarRecords(2, 3, lab))
	write(t, filepath.Join(dir, "test_batch.bin"), cifarRecords(1, 0, lab))
	train, test, err := Open(root, Options{}) // detects and descends
	if err != nil {
		t.Fatal(err)
	}
	defer train.Close()
	defer test.Close()
	if train.Len() != 5 || test.Len() != 1 || train.NumClasses() != 10 {
		t.Fatalf("len %d/%d classes %d", train.Len(), test.Len(), train.NumClasses())
	}
	for i := 0; i < 5; i++ {
		checkImage(t, train, i)
		if train.Label(i) != i%10 {
			t.Errorf("label %d = %d", i, train.Label(i))
		}
	}
	// A truncated record and an out-of-range label are errors naming the file.
	write(t, filepath.Join(dir, "data_batch_2.bin"), cifarRecords(2, 3, lab)[:3073+100])
	_, _, err = Open(dir, Options{Format: "cifar10"})
	wantErr(t, err, "data_batch_2.bin", "truncated")
	write(t, filepath.Join(dir, "data_batch_2.bin"), cifarRecords(2, 3, func(int) []byte { return []byte{10} }))
	_, _, err = Open(dir, Options{})
	wantErr(t, err, "data_batch_2.bin", "label 10")
}

func TestCIFAR100(t *testing.T) {
	dir := t.TempDir()
	lab := func(i int) []byte { return []byte{byte(i % 20), byte(50 + i)} }
	write(t, filepath.Join(dir, "train.bin"), cifarRecords(4, 0, lab))
	write(t, filepath.Join(dir, "test.bin"), cifarRecords(2, 0, lab))
	train, test, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if train.Name() != "cifar100/train" || train.Len() != 4 || test.Len() != 2 || train.NumClasses() != 100 {
		t.Fatalf("%s len %d/%d classes %d", train.Name(), train.Len(), test.Len(), train.NumClasses())
	}
	for i := 0; i < 4; i++ {
		checkImage(t, train, i)
		if train.Label(i) != 50+i {
			t.Errorf("fine label %d = %d, want %d", i, train.Label(i), 50+i)
		}
	}
}

// stlImages writes n images column-major per channel.
func stlImages(n, first int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			for x := 0; x < 96; x++ {
				for y := 0; y < 96; y++ {
					b = append(b, pattern(first+i, c, y, x))
				}
			}
		}
	}
	return b
}

func TestSTL10(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "stl10_binary")
	write(t, filepath.Join(dir, "train_X.bin"), stlImages(2, 0))
	write(t, filepath.Join(dir, "train_y.bin"), []byte{1, 10})
	write(t, filepath.Join(dir, "test_X.bin"), stlImages(1, 0))
	write(t, filepath.Join(dir, "test_y.bin"), []byte{3})
	write(t, filepath.Join(dir, "unlabeled_X.bin"), stlImages(3, 2))
	train, test, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 2 || test.Len() != 1 || train.Label(0) != 0 || train.Label(1) != 9 || test.Label(0) != 2 {
		t.Fatalf("len %d/%d labels %d %d %d", train.Len(), test.Len(), train.Label(0), train.Label(1), test.Label(0))
	}
	checkImage(t, train, 1)
	both, _, err := Open(dir, Options{Split: "train+unlabeled"})
	if err != nil {
		t.Fatal(err)
	}
	if both.Len() != 5 || both.Label(4) != -1 || both.NumClasses() != 10 {
		t.Fatalf("train+unlabeled: len %d label %d classes %d", both.Len(), both.Label(4), both.NumClasses())
	}
	for i := 0; i < 5; i++ {
		checkImage(t, both, i)
	}
	un, _, err := Open(dir, Options{Split: "unlabeled"})
	if err != nil {
		t.Fatal(err)
	}
	if un.Len() != 3 || un.NumClasses() != 0 || un.Label(0) != -1 {
		t.Fatalf("unlabeled: len %d classes %d", un.Len(), un.NumClasses())
	}
	write(t, filepath.Join(dir, "train_y.bin"), []byte{1, 2, 3})
	_, _, err = Open(dir, Options{})
	wantErr(t, err, "train_y.bin", "3 labels for 2 images")
	write(t, filepath.Join(dir, "train_y.bin"), []byte{1, 0})
	_, _, err = Open(dir, Options{})
	wantErr(t, err, "train_y.bin", "out of range")
}

func idxPix(n, h, w int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				b = append(b, pattern(i, 0, y, x))
			}
		}
	}
	return b
}

func TestIDX(t *testing.T) {
	for _, ext := range []string{"", ".gz"} {
		dir := t.TempDir()
		if err := WriteIDX(filepath.Join(dir, "train-images-idx3-ubyte"+ext), filepath.Join(dir, "train-labels-idx1-ubyte"+ext),
			3, 5, 7, idxPix(3, 5, 7), []byte{4, 0, 9}); err != nil {
			t.Fatal(err)
		}
		if err := WriteIDX(filepath.Join(dir, "t10k-images-idx3-ubyte"+ext), filepath.Join(dir, "t10k-labels-idx1-ubyte"+ext),
			1, 5, 7, idxPix(1, 5, 7), []byte{2}); err != nil {
			t.Fatal(err)
		}
		train, test, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		c, h, w := train.Shape()
		if c != 1 || h != 5 || w != 7 || train.Len() != 3 || test.Len() != 1 || train.Label(2) != 9 || train.NumClasses() != 10 {
			t.Fatalf("%s: shape %d %d %d len %d/%d", ext, c, h, w, train.Len(), test.Len())
		}
		for i := 0; i < 3; i++ {
			checkImage(t, train, i)
		}
		// Label count mismatch.
		if err := WriteIDX(filepath.Join(dir, "t10k-images-idx3-ubyte"+ext), filepath.Join(dir, "t10k-labels-idx1-ubyte"+ext),
			1, 5, 7, idxPix(1, 5, 7), []byte{2, 3}); err != nil {
			t.Fatal(err)
		}
		_, _, err = Open(dir, Options{})
		wantErr(t, err, "t10k-labels-idx1-ubyte"+ext, "2 labels for 1 images")
	}
	dir := t.TempDir()
	ip, lp := filepath.Join(dir, "train-images-idx3-ubyte"), filepath.Join(dir, "train-labels-idx1-ubyte")
	if err := WriteIDX(ip, lp, 2, 4, 4, idxPix(2, 4, 4), []byte{0, 1}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(ip)
	write(t, ip, b[:len(b)-3])
	_, _, err := Open(dir, Options{})
	wantErr(t, err, "train-images-idx3-ubyte", "truncated")
	// Labels file given as images: wrong magic.
	lb, _ := os.ReadFile(lp)
	write(t, ip, lb)
	_, _, err = Open(dir, Options{})
	wantErr(t, err, "train-images-idx3-ubyte", "wrong magic 0x00000801")
	// A corrupt .gz.
	write(t, ip, nil)
	os.Remove(ip)
	write(t, ip+".gz", []byte("not gzip at all"))
	_, _, err = Open(dir, Options{})
	wantErr(t, err, "train-images-idx3-ubyte.gz", "gzip")
}

func TestNpy(t *testing.T) {
	dir := t.TempDir()
	// (N, H, W, 3) images, HWC, with int64 labels.
	n, h, w := 3, 4, 5
	var hwc []byte
	for i := 0; i < n; i++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for c := 0; c < 3; c++ {
					hwc = append(hwc, pattern(i, c, y, x))
				}
			}
		}
	}
	var l64 []byte
	for _, l := range []int64{2, 0, 7} {
		l64 = binary.LittleEndian.AppendUint64(l64, uint64(l))
	}
	must(t, WriteNpy(filepath.Join(dir, "train_images.npy"), "|u1", []int{n, h, w, 3}, hwc))
	must(t, WriteNpy(filepath.Join(dir, "train_labels.npy"), "<i8", []int{n}, l64))
	must(t, WriteNpy(filepath.Join(dir, "test_images.npy"), "|u1", []int{1, h, w, 3}, hwc[:h*w*3]))
	train, test, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, _, _ := train.Shape(); c != 3 || train.Len() != 3 || test.Len() != 1 || train.Label(0) != 2 || train.NumClasses() != 8 || test.Label(0) != -1 {
		t.Fatalf("npy: c %d len %d/%d label %d classes %d", c, train.Len(), test.Len(), train.Label(0), train.NumClasses())
	}
	for i := 0; i < n; i++ {
		checkImage(t, train, i)
	}
	// A single (N, H, W) file without labels, then with int32 and uint8 labels.
	one := filepath.Join(dir, "gray.npy")
	must(t, WriteNpy(one, "|u1", []int{2, 6, 3}, idxPix(2, 6, 3)))
	ds, te, err := Open(one, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, hh, ww := ds.Shape(); c != 1 || hh != 6 || ww != 3 || ds.NumClasses() != 0 || ds.Label(1) != -1 || te != nil {
		t.Fatalf("gray npy: %d %d %d classes %d", c, hh, ww, ds.NumClasses())
	}
	checkImage(t, ds, 1)
	var l32 []byte
	l32 = binary.LittleEndian.AppendUint32(l32, 1)
	l32 = binary.LittleEndian.AppendUint32(l32, 4)
	must(t, WriteNpy(filepath.Join(dir, "gray_labels.npy"), "<i4", []int{2}, l32))
	ds, _, err = Open(one, Options{})
	if err != nil || ds.Label(1) != 4 {
		t.Fatalf("int32 labels: %v", err)
	}
	must(t, WriteNpy(filepath.Join(dir, "gray_labels.npy"), "|u1", []int{3}, []byte{1, 2, 3}))
	_, _, err = Open(one, Options{})
	wantErr(t, err, "gray_labels.npy", "3 labels for 2 images")
	// Errors: Fortran order, wrong dtype, truncated data, wrong magic.
	b, _ := os.ReadFile(one)
	write(t, one, bytes.Replace(b, []byte("False"), []byte("True "), 1))
	_, _, err = Open(one, Options{})
	wantErr(t, err, "gray.npy", "fortran_order", "C-order")
	must(t, WriteNpy(one, "<f4", []int{1, 2, 2}, make([]byte, 16)))
	_, _, err = Open(one, Options{})
	wantErr(t, err, "gray.npy", "dtype")
	must(t, WriteNpy(one, "|u1", []int{2, 6, 3}, idxPix(2, 6, 3)[:30]))
	_, _, err = Open(one, Options{})
	wantErr(t, err, "gray.npy", "truncated")
	write(t, one, []byte("NUMPY? no"))
	_, _, err = Open(one, Options{})
	wantErr(t, err, "gray.npy", "magic")
}

func TestSubsetConcat(t *testing.T) {
	ds := &memDataset{name: "m", c: 1, h: 1, w: 1, n: 10, pix: []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	a := Subset(ds, 4, 7)
	b := Subset(ds, 6, 7)
	c := Subset(ds, 4, 8)
	if a.Len() != 4 || b.Len() != 6 {
		t.Fatalf("len %d %d", a.Len(), b.Len())
	}
	same, seen := true, map[uint8]bool{}
	for i := 0; i < 4; i++ {
		ia, _ := a.Image(i)
		ib, _ := b.Image(i)
		ic, _ := c.Image(i)
		if ia.Pix[0] != ib.Pix[0] {
			t.Errorf("subset %d: prefix differs: %d vs %d", i, ia.Pix[0], ib.Pix[0])
		}
		same = same && ia.Pix[0] == ic.Pix[0]
		if seen[ia.Pix[0]] {
			t.Errorf("subset repeats image %d", ia.Pix[0])
		}
		seen[ia.Pix[0]] = true
	}
	if same {
		t.Error("seeds 7 and 8 gave the same subset")
	}
	if Subset(ds, 0, 1) != Dataset(ds) || Subset(ds, 10, 1) != Dataset(ds) {
		t.Error("n <= 0 or n >= Len must return the dataset itself")
	}
	cat, err := Concat("c", ds, a)
	if err != nil || cat.Len() != 14 {
		t.Fatal(err)
	}
	im, _ := cat.Image(11)
	ia, _ := a.Image(1)
	if im.Pix[0] != ia.Pix[0] {
		t.Error("concat index")
	}
}

// TestSelectAndClose: Select maps indices and labels through its list and
// leaves the dataset open when closed; a Subset closes it.
func TestSelectAndClose(t *testing.T) {
	ds := &memDataset{name: "m", c: 1, h: 1, w: 1, n: 5, pix: []byte{10, 11, 12, 13, 14}, labels: []int{0, 1, 2, 0, 1}, classes: 3}
	sel := Select(ds, []int{4, 1}, "sel")
	im, err := sel.Image(0)
	if err != nil || im.Pix[0] != 14 || sel.Label(1) != 1 || sel.Len() != 2 || sel.Name() != "sel" || sel.NumClasses() != 3 {
		t.Fatalf("select: image %v %v, label %d, len %d, name %s", im.Pix, err, sel.Label(1), sel.Len(), sel.Name())
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "sel: index 2") {
				t.Errorf("index past the selection: %v", r)
			}
		}()
		sel.Label(2)
	}()
	sel.Close()
	if _, err := ds.Image(3); err != nil || ds.pix == nil {
		t.Error("closing a selection closed the dataset")
	}
	Subset(ds, 2, 1).Close()
	if ds.pix != nil {
		t.Error("closing a subset left the dataset open")
	}
}

func TestRealFashionMNIST(t *testing.T) {
	if _, err := os.Stat(KnownNames["fashion-mnist"]); err != nil {
		t.Skip("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): ", err)
	}
	train, test, err := Open("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, h, w := train.Shape()
	if train.Len() != 60000 || test.Len() != 10000 || c != 1 || h != 28 || w != 28 || train.NumClasses() != 10 {
		t.Fatalf("fashion-mnist: %d/%d images %dx%dx%d, %d classes", train.Len(), test.Len(), c, h, w, train.NumClasses())
	}
	counts := make([]int, 10)
	for i := 0; i < train.Len(); i++ {
		counts[train.Label(i)]++
	}
	for k, n := range counts {
		if n != 6000 {
			t.Errorf("class %d has %d training images, want 6000", k, n)
		}
	}
	im, err := train.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	var sum int
	for _, v := range im.Pix {
		sum += int(v)
	}
	if sum == 0 {
		t.Error("first image is black")
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, _, err := Open(dir, Options{})
	wantErr(t, err, "empty folder")
	_, _, err = Open(dir, Options{Format: "tfrecord"})
	wantErr(t, err, "unknown format \"tfrecord\"")
	_, _, err = Open(filepath.Join(dir, "nope"), Options{})
	wantErr(t, err, "nope")
	_, _, err = Open(dir, Options{Format: "idx", Split: "unlabeled"})
	wantErr(t, err, "only for stl10")
	KnownNames["test-missing"] = filepath.Join(dir, "absent")
	defer delete(KnownNames, "test-missing")
	_, _, err = Open("test-missing", Options{})
	wantErr(t, err, "test-missing", "not found")
}
