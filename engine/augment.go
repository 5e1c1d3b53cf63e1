package engine

import (
	"fmt"
	"math"
)

// ViewAugmenter is implemented by backends that render augmented views of
// uint8 images on the device (the Vulkan backend): the same pipeline as the
// CPU specification in simclr/augment (Apply), which converts its Params
// into AugmentView. It is optional, found by a type assertion; a backend
// without it leaves augmentation to the host.
type ViewAugmenter interface {
	// AugmentViews records dst (len(views), C, size, size), row v the view
	// views[v] of images[views[v].Image]. Every image has the same C (1 or
	// 3). Misuse panics with "engine: AugmentViews: ..." (CheckAugment).
	AugmentViews(dst *Tensor, images []AugmentImage, views []AugmentView)
	// AugmentLimit is the most bytes (C*H*W) one source image may hold:
	// AugmentViews refuses a larger one with the backend's sticky error
	// (Err) and renders nothing, so callers decide up front (a batch of
	// many images is split to fit, whatever its total).
	AugmentLimit() int64
}

// AugmentImage is one source image: C planes of H rows of W bytes (CHW),
// values 0..255 standing for [0, 1].
type AugmentImage struct {
	C, H, W int
	Pix     []uint8
}

// The colour operations of AugmentView.Order.
const (
	AugmentBrightness = iota
	AugmentContrast
	AugmentSaturation
	AugmentHue
)

// AugmentView describes one view, step by step in this order (the
// simclr/augment package doc gives each step's exact arithmetic):
// resize of the crop rectangle [CropX, CropX+CropW) x [CropY, CropY+CropH)
// to size x size (bilinear, half-pixel centres, clamped to the crop),
// mirrored when Flip; with Jitter the four colour operations in Order
// (a permutation of the Augment* operations, read only with Jitter;
// Brightness, Contrast, Saturation multiply, 1 = identity; Hue shifts by
// a fraction of the colour circle, 0 = skipped); Gray; with Blur a
// Gaussian of Sigma and odd size Kernel, reflect padding; Solarize
// (x >= 0.5 becomes 1 - x); Noise > 0 adds Noise times the counter-hash
// normal values of NoiseSeed; Mean/Std (one per channel, or none)
// normalise as (x - Mean) / Std.
type AugmentView struct {
	Image                      int
	CropX, CropY, CropW, CropH int
	Flip                       bool

	Jitter                                bool
	Order                                 [4]int
	Brightness, Contrast, Saturation, Hue float64

	Gray   bool
	Blur   bool
	Sigma  float64
	Kernel int

	Solarize  bool
	Noise     float64
	NoiseSeed uint64

	Mean, Std []float32
}

// AugmentGaussian is the blur's normalised 1-D Gaussian of odd size k and
// standard deviation sigma, centred on index k/2: each tap exp(-d^2 /
// (2 sigma^2)) rounded to float32, then divided by the float64 sum of the
// unrounded taps and rounded again (simclr/augment GaussianKernel; the
// Vulkan views upload these taps).
func AugmentGaussian(k int, sigma float64) []float32 {
	w := make([]float32, k)
	AugmentGaussianTo(w, sigma)
	return w
}

// AugmentGaussianTo writes AugmentGaussian(len(w), sigma) into w, so that
// per-view callers reuse one buffer.
func AugmentGaussianTo(w []float32, sigma float64) {
	r := len(w) / 2
	var sum float64
	for i := range w {
		d := float64(i - r)
		v := math.Exp(-d * d / (2 * sigma * sigma))
		w[i] = float32(v)
		sum += v
	}
	for i := range w {
		w[i] = float32(float64(w[i]) / sum)
	}
}

// MaxAugmentKernel bounds AugmentView.Kernel.
const MaxAugmentKernel = 1023

// CheckAugment panics with an "engine: AugmentViews: ..." message unless
// dst is (len(views), C, size, size) for the images' common C (1 or 3),
// every image holds C*H*W bytes, every view names an image and a crop
// inside it, and its parameters are in range. It returns C and size.
func CheckAugment(dst *Tensor, images []AugmentImage, views []AugmentView) (c, size int) {
	const op = "AugmentViews"
	fail := func(f string, a ...any) { panic(fmt.Sprintf("engine: "+op+": "+f, a...)) }
	if len(images) == 0 || len(views) == 0 {
		fail("%d images, %d views: want at least one of each", len(images), len(views))
	}
	c = images[0].C
	for i, im := range images {
		switch {
		case im.C != c || (c != 1 && c != 3):
			fail("image %d has %d channels, want 1 or 3 and the same for all (image 0: %d)", i, im.C, c)
		case im.H < 1 || im.W < 1 || im.H > math.MaxInt32/im.W/c:
			fail("image %d is %dx%d", i, im.H, im.W)
		case len(im.Pix) != c*im.H*im.W:
			fail("image %d (%d x %d x %d) has %d bytes", i, c, im.H, im.W, len(im.Pix))
		}
	}
	if dst == nil || dst.Rank() != 4 {
		fail("dst %v: want (views, C, size, size)", dst)
	}
	size = dst.Dim(3)
	if dst.Dim(0) != len(views) || dst.Dim(1) != c || dst.Dim(2) != size {
		fail("dst has shape %v, want (%d, %d, size, size)", dst.Shape(), len(views), c)
	}
	CheckNumel(op, "dst", dst, dst.Numel())
	if dst.Numel() > math.MaxInt32 {
		fail("dst %v has more than 2^31 elements", dst.Shape())
	}
	for v, p := range views {
		if p.Image < 0 || p.Image >= len(images) {
			fail("view %d: image %d of %d", v, p.Image, len(images))
		}
		im := images[p.Image]
		if p.CropW < 1 || p.CropH < 1 || p.CropX < 0 || p.CropY < 0 || p.CropX > im.W-p.CropW || p.CropY > im.H-p.CropH {
			fail("view %d: crop (%d, %d) %dx%d outside image %d (%dx%d)", v, p.CropX, p.CropY, p.CropW, p.CropH, p.Image, im.W, im.H)
		}
		if int64(2*size+1)*int64(max(p.CropW, p.CropH)) >= 1<<31 {
			fail("view %d: crop %dx%d for size %d: the device's integer crop map needs (2*size+1) * side < 2^31", v, p.CropW, p.CropH, size)
		}
		if err := checkAugmentParams(p, c); err != nil {
			fail("view %d: %v", v, err)
		}
	}
	return c, size
}

func checkAugmentParams(p AugmentView, c int) error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	var seen [4]bool
	for _, op := range p.Order {
		if p.Jitter && (op < 0 || op > 3 || seen[op]) {
			return fmt.Errorf("jitter order %v is not a permutation of 0..3", p.Order)
		}
		if op >= 0 && op <= 3 {
			seen[op] = true
		}
	}
	for _, f := range []float64{p.Brightness, p.Contrast, p.Saturation} {
		if !(f >= 0 && f < 1e6) {
			return fmt.Errorf("jitter factors %g, %g, %g: want finite and >= 0", p.Brightness, p.Contrast, p.Saturation)
		}
	}
	if !finite(p.Hue) || math.Abs(p.Hue) > 1e6 {
		return fmt.Errorf("hue shift %g not finite", p.Hue)
	}
	if p.Blur && (p.Kernel < 1 || p.Kernel%2 == 0 || p.Kernel > MaxAugmentKernel || !(p.Sigma > 0 && p.Sigma < 1e6)) {
		return fmt.Errorf("blur kernel %d sigma %g: want an odd kernel in [1, %d] and a finite sigma > 0", p.Kernel, p.Sigma, MaxAugmentKernel)
	}
	if !(p.Noise >= 0 && p.Noise < 1e6) {
		return fmt.Errorf("noise std %g: want finite and >= 0", p.Noise)
	}
	if len(p.Mean) != len(p.Std) || (len(p.Mean) != 0 && len(p.Mean) != c) {
		return fmt.Errorf("%d Mean and %d Std values for %d channels", len(p.Mean), len(p.Std), c)
	}
	for i := range p.Mean {
		if !finite(float64(p.Mean[i])) || !(p.Std[i] > 0) || math.IsInf(float64(p.Std[i]), 0) {
			return fmt.Errorf("channel %d: mean %g std %g", i, p.Mean[i], p.Std[i])
		}
	}
	return nil
}
