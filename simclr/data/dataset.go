package data

import (
	"fmt"
	"image"

	"simclr-vk/internal/jpegdec"
)

// Image is one decoded image: Pix holds C*H*W bytes in CHW order (plane c,
// row y, column x at Pix[(c*H+y)*W+x]). C is 1 (gray) or 3 (RGB).
type Image struct {
	C, H, W int
	Pix     []uint8
}

// At returns the pixel value of channel c at row y, column x.
func (im Image) At(c, y, x int) uint8 { return im.Pix[(c*im.H+y)*im.W+x] }

// Dataset is a fixed, indexable set of images. Their channel count is one
// for all; their size is one for all unless the dataset implements Sized
// and its SizesVary says true (see VariesInSize). Implementations are safe
// for concurrent use.
type Dataset interface {
	// Len is the number of images.
	Len() int
	// Shape is the channel count of every image and the size of every
	// image, or, where sizes vary, a nominal size: the smallest shorter
	// side of the images, as h = w (the default view side).
	Shape() (c, h, w int)
	// NumClasses is the number of classes, 0 when the dataset is unlabeled.
	NumClasses() int
	// Label is the 0-based class of image i, or -1 when unlabeled.
	Label(i int) int
	// Image decodes image i (0 <= i < Len()) into a new Image the caller owns.
	Image(i int) (Image, error)
	// Name describes the dataset and split, e.g. "cifar10/train".
	Name() string
	// Close releases open files. The dataset must not be used afterwards.
	Close() error
}

// Sized is implemented by datasets whose images may differ in size (a
// prepared .svk file, an image folder opened with Options.NativeSize).
type Sized interface {
	// SizesVary reports whether the images differ in size; when false
	// every image has the size Shape gives.
	SizesVary() bool
	// ImageSize is the height and width of image i, without decoding it
	// (a folder with Options.NativeMinSide may decode it smaller).
	ImageSize(i int) (h, w int)
}

// VariesInSize reports whether the images of ds may differ in size: a
// consumer needing one size must then resize each image (the evaluation
// transform, EvalTransform) or crop it (the training views do).
func VariesInSize(ds Dataset) bool {
	s, ok := ds.(Sized)
	return ok && s.SizesVary()
}

// Classer is implemented by datasets that know their class names.
type Classer interface {
	// Classes returns the class names in label order (nil when unknown).
	Classes() []string
}

// Options control Open.
type Options struct {
	// Format overrides detection: "cifar10", "cifar100", "stl10", "idx",
	// "folder", "npy" or "svk". Empty means detect from the files present.
	Format string
	// ImageSize > 0 makes image folders resize (shorter side) and centre-crop
	// every image to ImageSize x ImageSize with EvalTransform (after any
	// DCT-reduced JPEG decode). Required when a folder holds
	// images of different sizes. Ignored by the binary formats, whose images
	// all have one size.
	ImageSize int
	// NativeSize makes image folders return every image at its own size
	// instead of requiring one size (the folder implements Sized). It
	// excludes ImageSize. simclr-vk prepare uses it.
	NativeSize bool
	// NativeMinSide > 0, with NativeSize, lets image folders decode a
	// JPEG whose shorter side is longer than NativeMinSide at a DCT
	// reduction (1/2, 1/4, 1/8; libjpeg-turbo, see internal/jpegdec) that
	// keeps the shorter side at least NativeMinSide: Image(i) may then
	// come back smaller than ImageSize(i), which stays the file header's
	// size. It is for a consumer that resizes every image to a shorter
	// side of at most NativeMinSide anyway: simclr-vk prepare --max-side
	// (WriteSVK resizes such an image to the size the full one gets).
	NativeMinSide int
	// SkipBad makes image folders leave out files that do not decode (they
	// are listed in Folder.Skipped) instead of failing.
	SkipBad bool
	// Split selects the training data where a dataset offers a choice:
	// "" or "train" (default), and for STL-10 "unlabeled" or
	// "train+unlabeled".
	Split string
	// JPEG selects the JPEG decoder of image folders: libjpeg-turbo where
	// it loads, else Go's (see internal/jpegdec). Tests set ForceGo or a
	// wrong Library to take Go's path.
	JPEG jpegdec.Options
}

// MaxImagePixels is the largest image, in pixels (width x height), any
// reader accepts: Pillow's MAX_IMAGE_PIXELS (1 GiB / 4 / 3, the size of a
// 0.25 GiB 24-bit image), above which Pillow warns of a decompression bomb.
// Image folders refuse larger images from their header, before decoding;
// IDX and .npy arrays refuse larger image dimensions.
const MaxImagePixels = 89_478_485

// MaxClasses bounds the class count (the largest label + 1) of .npy labels
// and class sub-folders: ImageNet-21k's 21,841 classes fit, while a
// corrupt label such as 2^40 is refused instead of sizing per-class arrays.
const MaxClasses = 1 << 16

// checkShape refuses image dimensions that are zero or above MaxImagePixels
// (path names the file in the error).
func checkShape(path string, h, w int) error {
	if h < 1 || w < 1 {
		return fmt.Errorf("data: %s: image size %dx%d has a zero dimension", path, w, h)
	}
	if h > MaxImagePixels/w {
		return fmt.Errorf("data: %s: image size %dx%d is above the limit of %d pixels (corrupt header or decompression bomb?)", path, w, h, MaxImagePixels)
	}
	return nil
}

// checkLabel refuses a label outside [0, MaxClasses).
func checkLabel(path string, i, l int) error {
	if l < 0 || l >= MaxClasses {
		return fmt.Errorf("data: %s: label %d of image %d is outside [0, %d) (corrupt labels?)", path, l, i, MaxClasses)
	}
	return nil
}

// checkIndex panics on an out-of-range index, like a slice would, but with a
// message naming the dataset.
func checkIndex(name string, i, n int) {
	if i < 0 || i >= n {
		panic(fmt.Sprintf("data: %s: index %d out of range [0, %d)", name, i, n))
	}
}

// nominalSize is the Shape of images of the given sizes (X width, Y
// height): their common size, or where they vary, the smallest shorter
// side as a square.
func nominalSize(sizes []image.Point) (h, w int, varies bool) {
	if len(sizes) == 0 {
		return 0, 0, false
	}
	h, w = sizes[0].Y, sizes[0].X
	side := min(h, w)
	for _, p := range sizes[1:] {
		varies = varies || p.X != w || p.Y != h
		side = min(side, p.X, p.Y)
	}
	if varies {
		return side, side, true
	}
	return h, w, false
}
