package augment

import (
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
