package modelio

import (
	"fmt"

	"simclr-vk/layers"
)

// InferArch guesses the encoder of torchvision-named weights from their
// shapes, for files that record no architecture: conv1.weight gives the
// stem (7x7: imagenet, 3x3: cifar), the input channels and the width (out
// channels / 64); layer1.0.conv3 means ResNet-50, layer3.5 ResNet-34, else
// ResNet-18. The head is left to its defaults. The guess is refused when
// the file holds fewer values than its encoder needs (StateSize).
func (w *Weights) InferArch() (layers.Config, error) {
	c1, ok := w.have["conv1.weight"]
	if !ok || len(c1.shape) != 4 {
		return layers.Config{}, fmt.Errorf("modelio: %s: no 4-d conv1.weight to infer the architecture from (pass --arch, --stem, --width, --in-channels)", w.what)
	}
	var e layers.ResNetConfig
	switch c1.shape[2] {
	case 7:
		e.Stem = layers.StemImageNet
	case 3:
		e.Stem = layers.StemCIFAR
	default:
		return layers.Config{}, fmt.Errorf("modelio: %s: conv1.weight %s is neither the imagenet (7x7) nor the cifar (3x3) stem", w.what, shapeString(c1.shape))
	}
	e.InChannels = c1.shape[1]
	e.Width = float64(c1.shape[0]) / 64
	switch {
	case w.has("layer1.0.conv3.weight"):
		e.Arch = "resnet50"
	case w.has("layer3.5.conv1.weight"):
		e.Arch = "resnet34"
	default:
		e.Arch = "resnet18"
	}
	if e.InChannels > MaxInChannels || e.Width > MaxWidth {
		return layers.Config{}, fmt.Errorf("modelio: %s: conv1.weight %s gives %d input channels and width %g, outside [1, %d] and (0, %g]",
			w.what, shapeString(c1.shape), e.InChannels, e.Width, MaxInChannels, MaxWidth)
	}
	cfg := layers.Config{Encoder: e}.WithDefaults()
	if err := w.checkSize(cfg, true); err != nil {
		return layers.Config{}, err
	}
	return cfg, nil
}

func (w *Weights) has(name string) bool { _, ok := w.have[name]; return ok }
