package augment

import (
	"fmt"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
	"simclr-vk/simclr/data"
)

// deviceCase is one batch: its images and views (Params of image imageOf).
type deviceCase struct {
	name    string
	size    int
	images  []data.Image
	params  []Params
	imageOf []int
	cfg     Config // Mean/Std; Size is set from size
}

// renderBoth renders the case on d and with Apply and returns the values
// outside the tolerance, described (the first 8), and their count.
func renderBoth(t *testing.T, d *vulkan.Device, c deviceCase) (bad []string, n int) {
	t.Helper()
	c.cfg.Size = c.size
	bad, n, err := CompareViews(d, d, c.images, c.params, c.imageOf, c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return bad, n
}

func checkCase(t *testing.T, d *vulkan.Device, c deviceCase) {
	t.Helper()
	if bad, n := renderBoth(t, d, c); n > 0 {
		t.Errorf("%s: %d values differ by more than %g + %g*|cpu|:\n%s", c.name, n, DeviceAtol, DeviceRtol, strings.Join(bad, "\n"))
	}
}

// plain is the identity view of the crop (x, y, w, h).
func plain(x, y, w, h int) Params {
	return Params{Crop: Crop{x, y, w, h}, Brightness: 1, Contrast: 1, Saturation: 1, Order: [4]int{0, 1, 2, 3}}
}

// jitter is plain(full image) with one colour operation, or several in order.
func jitter(w, h int, b, c, s, hue float64, order [4]int) Params {
	p := plain(0, 0, w, h)
	p.Jitter, p.Brightness, p.Contrast, p.Saturation, p.Hue, p.Order = true, b, c, s, hue, order
	return p
}

// stageCases are the views of each stage alone on a 13 x 7 source (and a
// 1-pixel and full crops), for c channels and output side size.
func stageCases(c, size int) []deviceCase {
	src := randImage(uint64(31+c), c, 13, 7) // 13 rows, 7 columns
	one := func(name string, ps ...Params) deviceCase {
		return deviceCase{name: fmt.Sprintf("c%d s%d %s", c, size, name), size: size, images: []data.Image{src}, params: ps, imageOf: make([]int, len(ps))}
	}
	flip := func(p Params) Params { p.Flip = true; return p }
	gray := plain(0, 0, 7, 13)
	gray.Gray = true
	blur := func(k int, sigma float64) Params {
		p := plain(1, 2, 5, 9)
		p.Blur, p.Kernel, p.Sigma = true, k, sigma
		return p
	}
	sol := plain(0, 0, 7, 13)
	sol.Solarize = true
	noise := plain(2, 1, 4, 11)
	noise.Noise, noise.NoiseSeed = 0.2, 0xdeadbeefcafe
	norm := one("normalise", plain(0, 0, 7, 13), flip(plain(3, 4, 2, 2)))
	norm.cfg.Mean, norm.cfg.Std = []float32{0.4, 0.5, 0.6}[:c], []float32{0.2, 0.3, 0.25}[:c]
	return []deviceCase{
		one("resample", plain(0, 0, 7, 13), plain(2, 3, 4, 5), plain(6, 12, 1, 1), plain(3, 0, 1, 13), plain(0, 5, 7, 1),
			flip(plain(0, 0, 7, 13)), flip(plain(1, 2, 5, 3)), flip(plain(4, 4, 1, 1))),
		one("brightness", jitter(7, 13, 1.7, 1, 1, 0, [4]int{0, 1, 2, 3}), jitter(7, 13, 0, 1, 1, 0, [4]int{0, 1, 2, 3})),
		one("contrast", jitter(7, 13, 1, 0.3, 1, 0, [4]int{1, 0, 2, 3}), jitter(7, 13, 1, 1.8, 1, 0, [4]int{1, 0, 2, 3}), jitter(7, 13, 1, 0, 1, 0, [4]int{1, 0, 2, 3})),
		one("saturation", jitter(7, 13, 1, 1, 0, 0, [4]int{2, 0, 1, 3}), jitter(7, 13, 1, 1, 1.9, 0, [4]int{2, 0, 1, 3})),
		one("hue", jitter(7, 13, 1, 1, 1, 0.5, [4]int{3, 0, 1, 2}), jitter(7, 13, 1, 1, 1, -0.5, [4]int{3, 0, 1, 2}), jitter(7, 13, 1, 1, 1, 0.13, [4]int{3, 0, 1, 2})),
		one("jitter order", jitter(7, 13, 1.3, 0.6, 0.2, -0.17, [4]int{3, 1, 0, 2}), jitter(7, 13, 0.5, 1.7, 1.8, 0.4, [4]int{2, 3, 1, 0})),
		one("gray", gray),
		one("blur", blur(3, 0.1), blur(3, 1.5), blur(5, 2), blur(11, 1.2), blur(2*size+3, 3)),
		one("solarize", sol, flip(sol)),
		one("noise", noise),
		norm,
	}
}

// TestDeviceStages: each step of the device pipeline alone equals Apply,
// for 1 and 3 channels and odd sides, extreme parameters included (a
// 1-pixel crop, the full image, hue +-0.5, saturation 0, a blur kernel
// wider than the view).
func TestDeviceStages(t *testing.T) {
	d := vulkantest.Open(t, vulkan.Options{})
	for _, c := range []int{1, 3} {
		for _, size := range []int{5, 32} {
			for _, dc := range stageCases(c, size) {
				checkCase(t, d, dc)
			}
		}
	}
}

// TestDeviceViews: whole sampled views of images of different sizes in one
// batch (every step on, normalised) equal Apply's, also through the
// staging buffer of discrete GPUs (Options.ForceStaging).
func TestDeviceViews(t *testing.T) {
	for _, staging := range []bool{false, true} {
		d := vulkantest.Open(t, vulkan.Options{ForceStaging: staging})
		deviceViews(t, d)
	}
}

func deviceViews(t *testing.T, d *vulkan.Device) {
	for _, c := range []int{1, 3} {
		// The large one has source coordinates whose float32 values would
		// lose the interpolation weights' low bits (the kernel computes
		// the crop map in integers).
		images := []data.Image{randImage(1, c, 13, 7), randImage(2, c, 40, 33), randImage(3, c, 8, 8), randImage(4, c, 1, 5), randImage(5, c, 900, 1200)}
		for _, size := range []int{5, 32} {
			cfg := DefaultConfig(size)
			cfg.Blur, cfg.SolarizeP, cfg.NoiseStd = BlurOn, 0.5, 0.05
			cfg.GrayP = 0.3
			cfg.Mean, cfg.Std = []float32{0.45, 0.5, 0.4}[:c], []float32{0.25, 0.2, 0.3}[:c]
			dc := deviceCase{name: fmt.Sprintf("c%d s%d sampled", c, size), size: size, images: images, cfg: cfg}
			for v := 0; v < 30; v++ {
				im := v % len(images)
				dc.params = append(dc.params, Sample(cfg, ViewRNG(77, 0, v, 0), images[im].H, images[im].W))
				dc.imageOf = append(dc.imageOf, im)
			}
			checkCase(t, d, dc)
		}
	}
}

// TestDeviceView: DeviceView carries every field, and the colour operation
// numbers agree.
func TestDeviceView(t *testing.T) {
	if OpBrightness != engine.AugmentBrightness || OpContrast != engine.AugmentContrast ||
		OpSaturation != engine.AugmentSaturation || OpHue != engine.AugmentHue {
		t.Fatal("colour operation numbers differ between augment and engine")
	}
	cfg := DefaultConfig(16)
	cfg.Mean, cfg.Std = []float32{0.5}, []float32{0.2}
	p := Params{Crop: Crop{1, 2, 3, 4}, Flip: true, Jitter: true, Order: [4]int{3, 2, 1, 0}, Brightness: 1.1, Contrast: 1.2,
		Saturation: 1.3, Hue: 0.1, Gray: true, Blur: true, Sigma: 0.7, Kernel: 5, Solarize: true, Noise: 0.2, NoiseSeed: 9}
	want := engine.AugmentView{Image: 3, CropX: 1, CropY: 2, CropW: 3, CropH: 4, Flip: true, Jitter: true, Order: [4]int{3, 2, 1, 0},
		Brightness: 1.1, Contrast: 1.2, Saturation: 1.3, Hue: 0.1, Gray: true, Blur: true, Sigma: 0.7, Kernel: 5,
		Solarize: true, Noise: 0.2, NoiseSeed: 9, Mean: cfg.Mean, Std: cfg.Std}
	if got := DeviceView(p, 3, cfg); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DeviceView = %+v, want %+v", got, want)
	}
}
