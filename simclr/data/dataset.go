package data

import (
	"fmt"

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

// Dataset is a fixed, indexable set of images of one shape.
// Implementations are safe for concurrent use.
type Dataset interface {
	// Len is the number of images.
	Len() int
	// Shape is the shape of every image.
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

// Options control Open.
type Options struct {
	// Format overrides detection: "cifar10", "cifar100", "stl10", "idx",
	// "folder" or "npy". Empty means detect from the files present.
	Format string
	// ImageSize > 0 makes image folders resize (shorter side) and centre-crop
	// every image to ImageSize x ImageSize. Required when a folder holds
	// images of different sizes. Ignored by the binary formats, whose images
	// all have one size.
	ImageSize int
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
