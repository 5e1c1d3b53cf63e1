package augment

import (
	"testing"

	"simclr-vk/engine"
)

// BenchmarkHostWork is the host side of Views for one batch: the upload
// plan, the view table and taps, the packed bytes of every upload and the
// release rule (trim).
func BenchmarkHostWork(b *testing.B) {
	images, views := benchBatch()
	o := &Ops{limit: MaxUpload}
	batch := func() { hostOnly(o, images, views) }
	batch() // warm: the buffers grow once
	b.ReportAllocs()
	for b.Loop() {
		batch()
	}
}

// benchBatch is 16 images of 500x375x3 (an ImageNet photo's size, 9 MB
// in all) and two views of each, every second one blurring.
func benchBatch() ([]engine.AugmentImage, []engine.AugmentView) {
	var images []engine.AugmentImage
	var views []engine.AugmentView
	for i := range 16 {
		pix := make([]uint8, 3*375*500)
		for k := range pix {
			pix[k] = uint8(k + i)
		}
		images = append(images, engine.AugmentImage{C: 3, H: 375, W: 500, Pix: pix})
		v := engine.AugmentView{Image: i, CropX: 10, CropY: 20, CropW: 300, CropH: 250, Brightness: 1, Contrast: 1, Saturation: 1}
		views = append(views, v)
		v.Blur, v.Kernel, v.Sigma = true, 23, 1.1
		views = append(views, v)
	}
	return images, views
}
