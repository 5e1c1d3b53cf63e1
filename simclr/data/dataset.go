package data

import (
	"fmt"
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
}

// checkIndex panics on an out-of-range index, like a slice would, but with a
// message naming the dataset.
func checkIndex(name string, i, n int) {
	if i < 0 || i >= n {
		panic(fmt.Sprintf("data: %s: index %d out of range [0, %d)", name, i, n))
	}
}
