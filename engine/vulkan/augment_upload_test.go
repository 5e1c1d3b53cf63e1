package vulkan_test

import (
	"math"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
)

// uploadBatch is five 3-channel images of different sizes (189 to 330
// bytes, 1326 in all) and two views of each, in the order a training batch
// gives them (every image's first view, then every second view), with
// colour jitter, blur and noise on the second views.
func uploadBatch() ([]engine.AugmentImage, []engine.AugmentView) {
	var images []engine.AugmentImage
	for i := range 5 {
		h, w := 7+i, 9+i%3
		pix := make([]uint8, 3*h*w)
		for k := range pix {
			pix[k] = uint8(k*37 + i*11)
		}
		images = append(images, engine.AugmentImage{C: 3, H: h, W: w, Pix: pix})
	}
	var views []engine.AugmentView
	for pass := range 2 {
		for i, im := range images {
			v := engine.AugmentView{Image: i, CropX: i % 2, CropY: pass, CropW: im.W - 1, CropH: im.H - 2, Flip: i%2 == 1,
				Brightness: 1, Contrast: 1, Saturation: 1, Order: [4]int{0, 1, 2, 3}}
			if pass == 1 {
				v.Jitter, v.Brightness, v.Contrast, v.Saturation, v.Hue, v.Order = true, 1.2, 0.8, 1.3, 0.1, [4]int{3, 1, 0, 2}
				v.Blur, v.Sigma, v.Kernel = true, 0.9, 3
				v.Noise, v.NoiseSeed = 0.05, uint64(i)+7
			}
			views = append(views, v)
		}
	}
	return images, views
}

// renderViews renders the batch on d, returning the values and the
// dispatches recorded.
func renderViews(t *testing.T, d *vulkan.Device, images []engine.AugmentImage, views []engine.AugmentView, size int) ([]float32, int) {
	t.Helper()
	dst := d.New(len(views), 3, size, size)
	defer dst.Release()
	_, before, _ := d.Counters()
	d.AugmentViews(dst, images, views)
	_, after, _ := d.Counters()
	out := make([]float32, dst.Numel())
	if err := d.Download(dst, out); err != nil {
		t.Fatal(err)
	}
	return out, after - before
}

// TestAugmentUploadSplit: with Options.AugmentUpload at 600 bytes the
// batch's images go up in several uploads, one augment_resample dispatch
// each (the images in order, as many as fit: 189+240, 297+270, 330), and the views equal
// those of one upload bit for bit (each value is computed by the same
// code from the same bytes; only the buffer it reads them from differs),
// through mapped memory and through the staging buffer (ForceStaging,
// each upload waiting for the dispatch that read the memory before);
// AugmentLimit reports the limit.
func TestAugmentUploadSplit(t *testing.T) {
	images, views := uploadBatch()
	one := openDevice(t, vulkan.Options{})
	split := openDevice(t, vulkan.Options{AugmentUpload: 600})
	if got := split.AugmentLimit(); got != 600 {
		t.Errorf("AugmentLimit with AugmentUpload 600: %d", got)
	}
	if got := one.AugmentLimit(); got < 1<<20 || got > 256<<20 {
		t.Errorf("AugmentLimit by default: %d, want the least of 256 MiB and the device's limits", got)
	}
	staged := openDevice(t, vulkan.Options{AugmentUpload: 600, ForceStaging: true})
	want, n1 := renderViews(t, one, images, views, 6)
	for _, d := range []*vulkan.Device{split, staged} {
		got, n2 := renderViews(t, d, images, views, 6)
		if n2-n1 != 2 {
			t.Errorf("%d dispatches in one upload, %d in uploads of 600 bytes: want 2 more (three uploads)", n1, n2)
		}
		bad := 0
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
				if bad < 5 {
					t.Errorf("value %d (view %d): %v in uploads of 600 bytes, %v in one", i, i/(3*36), got[i], want[i])
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%d of %d values differ", bad, len(want))
		}
	}
	for _, d := range []*vulkan.Device{one, split, staged} {
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAugmentUploadRefused: an image larger than one upload is refused
// with the device's sticky error naming the image, its bytes and the
// limit (no panic, nothing rendered); an image no larger than the limit
// is rendered.
func TestAugmentUploadRefused(t *testing.T) {
	images, views := uploadBatch() // image 4: 3 x 11 x 10 = 330 bytes
	d, err := vulkan.Open(vulkan.Options{AugmentUpload: 300, Validate: validationLayerInstalled()})
	if err != nil {
		if required() {
			t.Fatal(err)
		}
		t.Skipf("no usable Vulkan device, skipping: %v", err)
	}
	if _, _ = renderViews(t, d, images[:2], append(views[:2:2], views[5:7]...), 4); d.Err() != nil {
		t.Fatalf("images of 189 and 240 bytes under a limit of 300: %v", d.Err())
	}
	dst := d.New(len(views), 3, 4, 4)
	d.AugmentViews(dst, images, views)
	dst.Release()
	err = d.Err()
	if err == nil || !strings.Contains(err.Error(), "image 4 (3 x 11 x 10) holds 330 bytes, more than the 300 one upload") {
		t.Errorf("an image over the limit: err = %v", err)
	}
	if cerr := d.Close(); cerr == nil {
		t.Error("Close after the refusal returned nil, want the sticky error")
	}
	checkValidation(t, d)
}
