package data

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // JPEG decoder (headers, and files jpegdec does not read from memory)
	_ "image/png"  // PNG decoder
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"simclr-vk/internal/jpegdec"
	"simclr-vk/internal/regfile"
)

// Folder is a Dataset of JPEG/PNG files. Open scans the folder and reads
// only each file's header (size and colour model); images are decoded on
// every Image call, so a folder of any size costs little memory. A file
// whose header reads but whose body is corrupt is reported by Image, with
// its name.
type Folder struct {
	name    string
	files   []string
	labels  []int // nil when unlabeled
	classes []string
	c, h, w int
	size    int // EvalTransform to size x size when > 0
	jpeg    *jpegdec.Decoder
	// native (Options.NativeSize): each image at its own size, sizes[i].
	native bool
	sizes  []image.Point
	// nativeMin (Options.NativeMinSide): native images may decode reduced
	// to a shorter side of at least nativeMin.
	nativeMin int
	varies    bool
	// Skipped lists the files left out with Options.SkipBad, each with the
	// reason ("path: error").
	Skipped []string
}

// OpenFolder opens an image folder. When path holds sub-folders "train" and
// "test" (or "val"), they are the two splits and share the training split's
// class list; otherwise the whole folder is the training split and test is
// nil. Inside a split, sub-folders are classes (labels in sorted name
// order, files found recursively); a folder with no sub-folders is
// unlabeled. Images are gray (C = 1) when every file is gray, else RGB.
func OpenFolder(path string, opts Options) (train, test Dataset, err error) {
	if s := opts.ImageSize; s < 0 || s > 0 && s > MaxImagePixels/s {
		return nil, nil, fmt.Errorf("data: %s: image size %d outside [0, %d] (%d pixels at most)", path, s, maxImageSide, MaxImagePixels)
	}
	if opts.NativeMinSide < 0 || opts.NativeMinSide > 0 && !opts.NativeSize {
		return nil, nil, fmt.Errorf("data: %s: a native minimum side (%d) needs native sizes (Options.NativeSize) and must be positive", path, opts.NativeMinSide)
	}
	if opts.NativeSize && opts.ImageSize > 0 {
		return nil, nil, fmt.Errorf("data: %s: an image size (%d) and native sizes exclude each other", path, opts.ImageSize)
	}
	trainDir, testDir := path, ""
	if isDir(filepath.Join(path, "train")) {
		for _, t := range []string{"test", "val"} {
			if isDir(filepath.Join(path, t)) {
				trainDir, testDir = filepath.Join(path, "train"), filepath.Join(path, t)
				break
			}
		}
	}
	base := filepath.Base(path)
	tr, err := scanFolder(base+"/train", trainDir, opts, nil)
	if err != nil {
		return nil, nil, err
	}
	if testDir == "" {
		return tr, nil, nil
	}
	te, err := scanFolder(base+"/"+filepath.Base(testDir), testDir, opts, tr.classes)
	if err != nil {
		return nil, nil, err
	}
	if te.c != tr.c || te.h != tr.h || te.w != tr.w {
		// Make both splits agree: RGB wins over gray; sizes must match.
		if (te.h != tr.h || te.w != tr.w) && !opts.NativeSize {
			return nil, nil, fmt.Errorf("data: %s is %dx%d but %s is %dx%d: set the image size (Options.ImageSize)", trainDir, tr.h, tr.w, testDir, te.h, te.w)
		}
		tr.c, te.c = 3, 3
	}
	return tr, te, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

// isDirOrLinkToDir reports whether the entry e of dir is a directory or a
// symbolic link to one.
func isDirOrLinkToDir(dir string, e os.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&os.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && st.IsDir()
}

// scanFolder lists dir's images. classes, when given, fixes the label of
// each class sub-folder by name (a test split uses the training classes).
func scanFolder(name, dir string, opts Options, classes []string) (*Folder, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	f := &Folder{name: name, size: opts.ImageSize, native: opts.NativeSize, nativeMin: opts.NativeMinSide, jpeg: jpegdec.New(opts.JPEG)}
	var subdirs []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && isDirOrLinkToDir(dir, e) {
			subdirs = append(subdirs, e.Name())
		}
	}
	sort.Strings(subdirs)
	if len(subdirs) == 0 {
		for _, e := range entries {
			if !e.IsDir() && isImageFile(e.Name()) {
				f.files = append(f.files, filepath.Join(dir, e.Name()))
			}
		}
		sort.Strings(f.files)
	} else {
		if classes == nil {
			classes = subdirs
		}
		index := map[string]int{}
		for i, c := range classes {
			index[c] = i
		}
		if len(classes) > MaxClasses {
			return nil, fmt.Errorf("data: %s: %d class folders, more than the limit of %d", dir, len(classes), MaxClasses)
		}
		f.classes = classes
		for _, sd := range subdirs {
			label, ok := index[sd]
			if !ok {
				return nil, fmt.Errorf("data: %s: class folder %q is not among the training classes", dir, sd)
			}
			var files []string
			// A class folder may be a symbolic link (datasets assembled
			// with ln -s per class); links below it are not followed, so a
			// link loop cannot make the walk endless.
			root, err := filepath.EvalSymlinks(filepath.Join(dir, sd))
			if err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
			err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() && isImageFile(d.Name()) {
					files = append(files, p)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
			sort.Strings(files)
			for _, p := range files {
				f.files = append(f.files, p)
				f.labels = append(f.labels, label)
			}
		}
	}
	if err := f.readHeaders(opts.SkipBad); err != nil {
		return nil, err
	}
	return f, nil
}

// readHeaders decodes every file's header to find the common shape.
func (f *Folder) readHeaders(skipBad bool) error {
	var bad []string
	keep := f.files[:0]
	var keepLabels []int
	allGray, anyJPEG := true, false
	first := ""
	for i, p := range f.files {
		cfg, format, err := decodeConfig(p)
		anyJPEG = anyJPEG || format == "jpeg"
		if err != nil {
			bad = append(bad, strings.TrimPrefix(err.Error(), "data: "))
			continue
		}
		if f.native {
			f.sizes = append(f.sizes, image.Point{X: cfg.Width, Y: cfg.Height})
		} else if f.size == 0 {
			if first == "" {
				first, f.h, f.w = p, cfg.Height, cfg.Width
			} else if cfg.Height != f.h || cfg.Width != f.w {
				return fmt.Errorf("data: %s: images of different sizes (%s is %dx%d, %s is %dx%d): set the image size (--image-size / Options.ImageSize) to resize and centre-crop them",
					f.name, first, f.w, f.h, p, cfg.Width, cfg.Height)
			}
		}
		m := cfg.ColorModel
		allGray = allGray && (m == color.GrayModel || m == color.Gray16Model)
		keep = append(keep, p)
		if f.labels != nil {
			keepLabels = append(keepLabels, f.labels[i])
		}
	}
	if len(bad) > 0 && !skipBad {
		more := ""
		if len(bad) > 5 {
			more = fmt.Sprintf("; and %d more", len(bad)-5)
		}
		return fmt.Errorf("data: %s: %d of %d files do not decode (skip them with --skip-bad / Options.SkipBad): %s%s",
			f.name, len(bad), len(f.files), strings.Join(bad[:min(5, len(bad))], "; "), more)
	}
	f.Skipped = bad
	f.files = keep
	f.labels = keepLabels
	if len(f.files) == 0 {
		return fmt.Errorf("data: %s: no decodable .jpg/.jpeg/.png images", f.name)
	}
	if f.size > 0 {
		f.h, f.w = f.size, f.size
	}
	if f.native {
		f.h, f.w, f.varies = nominalSize(f.sizes)
	}
	f.c = 3
	if allGray {
		f.c = 1
	}
	if anyJPEG {
		noteJPEG(os.Stderr, f.jpeg)
	}
	return nil
}

// jpegNoted holds the JPEG decoders already named on stderr.
var jpegNoted sync.Map

// noteJPEG says on w (stderr), once per process and decoder, which decoder
// reads JPEG files (libjpeg-turbo, or Go's and why), as the CPU backend
// names its BLAS.
func noteJPEG(w io.Writer, d *jpegdec.Decoder) {
	if _, done := jpegNoted.LoadOrStore(d.Name(), true); !done {
		fmt.Fprintf(w, "note: JPEG decoding: %s\n", d.Name())
	}
}

// maxImageSide is the largest square image side within MaxImagePixels.
const maxImageSide = 9459

// maxPixelsPerByte bounds the pixels an image file of a given size can
// hold: deflate (PNG) expands at most 1032:1 and a PNG pixel takes at least
// 1 bit, while a JPEG codes at least 1 bit per 8x8 block. A header declaring
// more pixels than 8 x 1032 per byte of file is refused before decoding (a
// truncated or forged header would make the decoder allocate the whole
// image first), which bounds decoding memory by a multiple of the file size.
const maxPixelsPerByte = 8 * 1032

// checkImageConfig refuses an image header whose format is not PNG or JPEG
// (other decoders may be registered by other packages) or whose size is zero,
// above MaxImagePixels or beyond what fileSize bytes can hold.
func checkImageConfig(p string, cfg image.Config, format string, fileSize int64) error {
	if format != "png" && format != "jpeg" {
		return fmt.Errorf("data: %s: %s image, want PNG or JPEG", p, format)
	}
	if err := checkShape(p, cfg.Height, cfg.Width); err != nil {
		return err
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px/maxPixelsPerByte > fileSize {
		return fmt.Errorf("data: %s: image size %dx%d cannot be held in %d bytes (more than %d pixels per byte): truncated or corrupt file", p, cfg.Width, cfg.Height, fileSize, maxPixelsPerByte)
	}
	return nil
}

// openImage opens the regular file p and reads and checks its header; it
// returns the file, its header, format and size.
func openImage(p string) (*os.File, image.Config, string, int64, error) {
	fh, size, err := regfile.Open(p)
	if err != nil {
		return nil, image.Config{}, "", 0, fmt.Errorf("data: %w", err)
	}
	cfg, format, err := image.DecodeConfig(bufio.NewReader(fh))
	if err == nil {
		err = checkImageConfig(p, cfg, format, size)
	} else {
		err = fmt.Errorf("data: %s: does not decode: %w", p, err)
	}
	if err != nil {
		fh.Close()
		return nil, image.Config{}, format, 0, err
	}
	return fh, cfg, format, size, nil
}

// decodeConfig reads and checks the header of the image file p and returns
// it with the format ("jpeg" or "png"; what the header claims when it is
// refused).
func decodeConfig(p string) (image.Config, string, error) {
	fh, cfg, format, _, err := openImage(p)
	if err != nil {
		return image.Config{}, format, err
	}
	fh.Close()
	return cfg, format, nil
}

// decodeImage checks the header of the image file p as decodeConfig does
// and, when want is not nil, that its size is *want, then decodes it to c
// channels. A JPEG file of at most 4 bytes per pixel and 1 MiB more (a
// padded file is not read whole) goes to dec from memory and may come back
// reduced by its DCT scaling to a shorter side of at least minSide; other
// files are decoded by Go at full size, streamed (the decoder reads what
// the image needs, not the whole file).
func decodeImage(p string, want *image.Point, dec *jpegdec.Decoder, c, minSide int) (Image, error) {
	fh, cfg, format, size, err := openImage(p)
	if err != nil {
		return Image{}, err
	}
	defer fh.Close()
	if want != nil && (cfg.Width != want.X || cfg.Height != want.Y) {
		return Image{}, fmt.Errorf("data: %s: %dx%d, the folder's images are %dx%d", p, cfg.Width, cfg.Height, want.X, want.Y)
	}
	if format == "jpeg" && size <= 4*int64(cfg.Width)*int64(cfg.Height)+1<<20 {
		buf := make([]byte, size)
		if _, err := fh.ReadAt(buf, 0); err != nil {
			return Image{}, fmt.Errorf("data: %s: %w", p, err)
		}
		im, err := dec.Decode(buf, jpegdec.Request{Width: cfg.Width, Height: cfg.Height, Channels: c, MinSide: minSide})
		if err != nil {
			return Image{}, fmt.Errorf("data: %s: does not decode: %w", p, err)
		}
		return Image(im), nil
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return Image{}, fmt.Errorf("data: %w", err)
	}
	img, _, err := image.Decode(bufio.NewReader(fh))
	if err != nil {
		return Image{}, fmt.Errorf("data: %s: does not decode: %w", p, err)
	}
	if r := img.Bounds(); r.Dx() != cfg.Width || r.Dy() != cfg.Height {
		return Image{}, fmt.Errorf("data: %s: decodes to %dx%d, its header says %dx%d", p, r.Dx(), r.Dy(), cfg.Width, cfg.Height)
	}
	return Image(jpegdec.ToCHW(img, c)), nil
}

func (f *Folder) Len() int             { return len(f.files) }
func (f *Folder) Shape() (c, h, w int) { return f.c, f.h, f.w }
func (f *Folder) NumClasses() int      { return len(f.classes) }
func (f *Folder) Name() string         { return f.name }
func (f *Folder) Close() error         { return nil }

// SizesVary reports whether the images differ in size (only with
// Options.NativeSize).
func (f *Folder) SizesVary() bool { return f.varies }

// ImageSize is the size of image i from its header.
func (f *Folder) ImageSize(i int) (h, w int) {
	checkIndex(f.name, i, len(f.files))
	if f.native {
		return f.sizes[i].Y, f.sizes[i].X
	}
	return f.h, f.w
}

// Classes returns the class names in label order (nil when unlabeled).
func (f *Folder) Classes() []string { return f.classes }

// File returns the path of image i.
func (f *Folder) File(i int) string { return f.files[i] }

func (f *Folder) Label(i int) int {
	checkIndex(f.name, i, len(f.files))
	if f.labels == nil {
		return -1
	}
	return f.labels[i]
}

// Image decodes file i, converts it to the folder's channel count and, with
// an image size set, applies EvalTransform (torchvision Resize then
// CenterCrop, the same pixels as eval from a .svk or the kNN monitor) to
// the decoded image: a large JPEG is decoded at a reduced size first when
// libjpeg-turbo can keep the shorter side at least the image size. With Options.NativeMinSide, a native image whose
// shorter side is longer may come back reduced the same way.
func (f *Folder) Image(i int) (Image, error) {
	checkIndex(f.name, i, len(f.files))
	var want *image.Point
	minSide := f.size
	if f.native {
		want = &f.sizes[i]
		if f.nativeMin > 0 && min(want.X, want.Y) > f.nativeMin {
			minSide = f.nativeMin
		}
	} else if f.size == 0 {
		want = &image.Point{X: f.w, Y: f.h}
	}
	im, err := decodeImage(f.files[i], want, f.jpeg, f.c, minSide)
	if err != nil {
		return Image{}, err
	}
	if f.size > 0 {
		return EvalTransform(im, f.size), nil
	}
	return im, nil
}
