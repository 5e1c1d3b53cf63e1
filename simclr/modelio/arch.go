package modelio

import (
	"encoding/json"
	"fmt"

	"simclr-vk/layers"
)

// archFile is the JSON form of a layers.Config (see the package doc).
type archFile struct {
	Arch       string    `json:"arch"`
	Depth      int       `json:"depth"`
	Stem       string    `json:"stem"`
	Width      float64   `json:"width"`
	InChannels int       `json:"in_channels"`
	FeatureDim int       `json:"feature_dim,omitempty"`
	ImageSize  int       `json:"image_size,omitempty"`
	Head       *headFile `json:"head,omitempty"`
}

type headFile struct {
	Layers int  `json:"layers"`
	Hidden int  `json:"hidden"`
	Out    int  `json:"out"`
	NoBias bool `json:"no_bias"`
	NoBN   bool `json:"no_bn"`
	LastBN bool `json:"last_bn"`
}

var depths = map[string]int{"resnet18": 18, "resnet34": 34, "resnet50": 50}

// Ranges of the architecture fields a file may state; ParseArch refuses
// values outside them before any model is built (0 means the default
// everywhere). Memory is bounded separately: a model is built from a
// file's description only when the file holds at least the values that
// model has (see StateSize).
const (
	MaxWidth      = 8.0     // width multiplier, in (0, MaxWidth]
	MaxInChannels = 256     // input channels
	MaxHeadLayers = 8       // Linear layers of the head
	MaxHeadDim    = 1 << 16 // head hidden and output widths
	MaxImageSize  = 8192    // recorded training image side
)

// ArchJSON describes cfg (defaults resolved) for Meta.Arch and the
// safetensors metadata, without an image size.
func ArchJSON(cfg layers.Config) json.RawMessage { return ArchJSONImage(cfg, 0) }

// ArchJSONImage is ArchJSON recording the side of the training images.
func ArchJSONImage(cfg layers.Config, imageSize int) json.RawMessage {
	c := cfg.WithDefaults()
	f := archFile{
		Arch: c.Encoder.Arch, Depth: depths[c.Encoder.Arch], Stem: string(c.Encoder.Stem),
		Width: c.Encoder.Width, InChannels: c.Encoder.InChannels, FeatureDim: c.Encoder.FeatureDim(),
		ImageSize: imageSize,
		Head: &headFile{Layers: c.Head.Layers, Hidden: c.Head.Hidden, Out: c.Head.Out,
			NoBias: c.Head.NoBias, NoBN: c.Head.NoBN, LastBN: c.Head.LastBN},
	}
	b, err := json.Marshal(f)
	if err != nil { // only plain fields: cannot happen
		panic(err)
	}
	return b
}

// ParseArch reads an architecture description written by ArchJSON.
func ParseArch(raw json.RawMessage) (layers.Config, error) {
	cfg, _, err := ParseArchImage(raw)
	return cfg, err
}

// ParseArchImage is ParseArch also returning the recorded image size (0 when
// none was recorded).
func ParseArchImage(raw json.RawMessage) (layers.Config, int, error) {
	if len(raw) == 0 {
		return layers.Config{}, 0, fmt.Errorf("modelio: no architecture description")
	}
	var f archFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return layers.Config{}, 0, fmt.Errorf("modelio: architecture description: %w", err)
	}
	if f.Arch == "" && f.Depth != 0 {
		f.Arch = fmt.Sprintf("resnet%d", f.Depth)
	}
	if d, ok := depths[f.Arch]; !ok {
		return layers.Config{}, 0, fmt.Errorf("modelio: architecture %q (depth %d) is not one of resnet18, resnet34, resnet50", f.Arch, f.Depth)
	} else if f.Depth != 0 && f.Depth != d {
		return layers.Config{}, 0, fmt.Errorf("modelio: architecture %q contradicts depth %d", f.Arch, f.Depth)
	}
	switch layers.Stem(f.Stem) {
	case "", layers.StemImageNet, layers.StemCIFAR:
	default:
		return layers.Config{}, 0, fmt.Errorf("modelio: unknown stem %q (have imagenet, cifar)", f.Stem)
	}
	if !(f.Width >= 0 && f.Width <= MaxWidth) {
		return layers.Config{}, 0, fmt.Errorf("modelio: width %g outside (0, %g]", f.Width, MaxWidth)
	}
	if f.InChannels < 0 || f.InChannels > MaxInChannels {
		return layers.Config{}, 0, fmt.Errorf("modelio: input channels %d outside [1, %d]", f.InChannels, MaxInChannels)
	}
	if f.ImageSize < 0 || f.ImageSize > MaxImageSize {
		return layers.Config{}, 0, fmt.Errorf("modelio: image size %d outside [0, %d]", f.ImageSize, MaxImageSize)
	}
	cfg := layers.Config{Encoder: layers.ResNetConfig{Arch: f.Arch, Stem: layers.Stem(f.Stem), Width: f.Width, InChannels: f.InChannels}}
	if f.Head != nil {
		h := f.Head
		if h.Layers < 0 || h.Layers > MaxHeadLayers || h.Hidden < 0 || h.Hidden > MaxHeadDim || h.Out < 0 || h.Out > MaxHeadDim {
			return layers.Config{}, 0, fmt.Errorf("modelio: head of %d layers, hidden %d, out %d outside [1, %d] layers and [1, %d] widths",
				h.Layers, h.Hidden, h.Out, MaxHeadLayers, MaxHeadDim)
		}
		cfg.Head = layers.HeadConfig{Layers: h.Layers, Hidden: h.Hidden, Out: h.Out, NoBias: h.NoBias, NoBN: h.NoBN, LastBN: h.LastBN}
	}
	cfg = cfg.WithDefaults()
	if f.FeatureDim != 0 && f.FeatureDim != cfg.Encoder.FeatureDim() {
		return layers.Config{}, 0, fmt.Errorf("modelio: feature_dim %d does not match %s at width %g (%d)", f.FeatureDim, f.Arch, cfg.Encoder.Width, cfg.Encoder.FeatureDim())
	}
	return cfg, f.ImageSize, nil
}

// Describe is a one-line summary of cfg for messages: "resnet18 (cifar
// stem, width 0.25, 1 input channel, head 2x512->128)".
func Describe(cfg layers.Config) string {
	c := cfg.WithDefaults()
	ch := "channels"
	if c.Encoder.InChannels == 1 {
		ch = "channel"
	}
	return fmt.Sprintf("%s (%s stem, width %g, %d input %s, head %dx%d->%d)", c.Encoder.Arch, c.Encoder.Stem,
		c.Encoder.Width, c.Encoder.InChannels, ch, c.Head.Layers, c.Head.Hidden, c.Head.Out)
}
