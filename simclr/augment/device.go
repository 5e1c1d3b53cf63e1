package augment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"simclr-vk/engine"
	"simclr-vk/simclr/data"
)

// DeviceImage is im as the engine's plain image description (the bytes
// are shared, not copied).
func DeviceImage(im data.Image) engine.AugmentImage {
	return engine.AugmentImage{C: im.C, H: im.H, W: im.W, Pix: im.Pix}
}

// DeviceView is the engine's description of the view p of image index
// image under cfg (its Mean and Std), for an engine.ViewAugmenter, which
// renders what Apply renders.
func DeviceView(p Params, image int, cfg Config) engine.AugmentView {
	v := engine.AugmentView{
		Image: image,
		CropX: p.Crop.X, CropY: p.Crop.Y, CropW: p.Crop.W, CropH: p.Crop.H,
		Flip:   p.Flip,
		Jitter: p.Jitter, Brightness: p.Brightness, Contrast: p.Contrast, Saturation: p.Saturation, Hue: p.Hue,
		Gray: p.Gray,
		Blur: p.Blur, Sigma: p.Sigma, Kernel: p.Kernel,
		Solarize: p.Solarize,
		Noise:    p.Noise, NoiseSeed: p.NoiseSeed,
		Mean: cfg.Mean, Std: cfg.Std,
	}
	v.Order = p.Order // OpBrightness.. equal engine.AugmentBrightness.. (TestDeviceView)
	return v
}

// DeviceBatch describes the views of bt, a batch of a DeviceViews
// loader (Batch.Images, Batch.Params), for an engine.ViewAugmenter under
// cfg: view row r is the view bt.Params[r] of image r mod N.
func DeviceBatch(bt *Batch, cfg Config) ([]engine.AugmentImage, []engine.AugmentView) {
	images := make([]engine.AugmentImage, len(bt.Images))
	for i, im := range bt.Images {
		images[i] = DeviceImage(im)
	}
	views := make([]engine.AugmentView, len(bt.Params))
	for row, p := range bt.Params {
		views[row] = DeviceView(p, row%bt.N, cfg)
	}
	return images, views
}

// The device views agree with Apply within DeviceAtol + DeviceRtol*|ref|
// per value: float32 rounding of the bilinear weights (a division), the
// contrast mean and the noise's log and cos, which the CPU computes in float64 (the blur's taps are the
// CPU's: engine.AugmentGaussian).
const (
	DeviceAtol = 2e-5
	DeviceRtol = 1e-5
)

// CompareViews renders views (each of images[imageOf[v]]) under cfg with
// Apply and on va, and returns the values outside the tolerance, described
// (the first 8), and their count. b is va's backend (it allocates the
// output and downloads it).
func CompareViews(b engine.Backend, va engine.ViewAugmenter, images []data.Image, params []Params, imageOf []int, cfg Config) (bad []string, n int, err error) {
	ch, size := images[0].C, cfg.Size
	vsize := ch * size * size
	want := make([]float32, len(params)*vsize)
	imgs := make([]engine.AugmentImage, len(images))
	for i, im := range images {
		imgs[i] = DeviceImage(im)
	}
	views := make([]engine.AugmentView, len(params))
	for v, p := range params {
		Apply(want[v*vsize:(v+1)*vsize], images[imageOf[v]], p, cfg)
		views[v] = DeviceView(p, imageOf[v], cfg)
	}
	dst := b.New(len(views), ch, size, size)
	defer dst.Release()
	va.AugmentViews(dst, imgs, views)
	got := make([]float32, dst.Numel())
	if err := b.Download(dst, got); err != nil {
		return nil, 0, err
	}
	plane := size * size
	for i, g := range got {
		r := want[i]
		if math.Abs(float64(g-r)) <= DeviceAtol+DeviceRtol*math.Abs(float64(r)) {
			continue
		}
		if n++; len(bad) < 8 {
			v, e := i/vsize, i%vsize
			bad = append(bad, fmt.Sprintf("view %d (%+v) channel %d y %d x %d: device %g, cpu %g", v, params[v], e/plane, e%plane/size, e%size, g, r))
		}
	}
	return bad, n, nil
}

// SelfCheck renders a few views of synthetic images on va (every step of
// the pipeline on: jitter, gray, blur, solarisation, noise, cfg's
// normalisation) and compares them with Apply, as the cooperative-matrix
// self-check does at device open: a driver that miscompiles a kernel is
// caught before it trains on wrong views. c is the channel count of the
// run's images; cfg.Size the output size.
func SelfCheck(b engine.Backend, va engine.ViewAugmenter, c int, cfg Config) error {
	cfg.Blur, cfg.BlurP, cfg.JitterP, cfg.GrayP, cfg.SolarizeP = BlurOn, 0.7, 0.9, 0.3, 0.5
	if cfg.NoiseStd == 0 {
		cfg.NoiseStd = 0.05
	}
	rng := rand.New(rand.NewPCG(0x5e1f, 0xc4ec))
	sizes := [][2]int{{cfg.Size + 13, cfg.Size + 7}, {7, 13}, {2 * cfg.Size, cfg.Size + 1}}
	images := make([]data.Image, len(sizes))
	for i, s := range sizes {
		im := data.Image{C: c, H: s[0], W: s[1], Pix: make([]uint8, c*s[0]*s[1])}
		for j := range im.Pix {
			im.Pix[j] = uint8(rng.IntN(256))
		}
		images[i] = im
	}
	var params []Params
	var imageOf []int
	for v := range 12 {
		im := v % len(images)
		params = append(params, Sample(cfg, ViewRNG(0x5e1f, 0, v, 0), images[im].H, images[im].W))
		imageOf = append(imageOf, im)
	}
	bad, n, err := CompareViews(b, va, images, params, imageOf, cfg)
	if err != nil {
		return fmt.Errorf("augment: device self-check: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("augment: device self-check: %d of %d values of the %s's views differ from the CPU's by more than %g + %g*|cpu|:\n%s",
			n, len(params)*c*cfg.Size*cfg.Size, b.Name(), DeviceAtol, DeviceRtol, strings.Join(bad, "\n"))
	}
	return nil
}
