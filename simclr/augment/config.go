package augment

import "fmt"

// BlurMode selects whether Gaussian blur is part of the pipeline.
type BlurMode int

const (
	// BlurAuto blurs only when Size > 32 (the paper drops blur for CIFAR).
	BlurAuto BlurMode = iota
	// BlurOn always includes the blur step (still applied with BlurP).
	BlurOn
	// BlurOff never blurs.
	BlurOff
)

// ParseBlurMode parses "auto", "on" or "off".
func ParseBlurMode(s string) (BlurMode, error) {
	switch s {
	case "auto", "":
		return BlurAuto, nil
	case "on":
		return BlurOn, nil
	case "off":
		return BlurOff, nil
	}
	return 0, fmt.Errorf("augment: blur mode %q: want auto, on or off", s)
}

func (m BlurMode) String() string {
	return [...]string{"auto", "on", "off"}[m]
}

// Config holds every parameter of the pipeline. DefaultConfig gives the
// paper's values.
type Config struct {
	Size               int     // output side in pixels
	MinScale, MaxScale float64 // crop area fraction range: 0.08, 1
	MinRatio, MaxRatio float64 // crop aspect ratio (w/h) range: 3/4, 4/3
	CropAttempts       int     // tries before the centre-crop fallback: 10
	FlipP              float64 // horizontal flip probability: 0.5
	JitterStrength     float64 // colour jitter strength s: 1.0 (0.5 for CIFAR-10)
	JitterP            float64 // colour jitter probability: 0.8
	GrayP              float64 // grayscale probability: 0.2
	Blur               BlurMode
	BlurP              float64 // blur probability when enabled: 0.5
	SigmaMin, SigmaMax float64 // blur sigma range in pixels: 0.1, 2.0
	SolarizeP          float64 // solarisation probability (BYOL's 0.2 on one view): 0
	NoiseStd           float64 // additive Gaussian noise standard deviation: 0 (off)
	// Mean and Std, when set (one value per channel), normalise the output
	// as (x - Mean) / Std after augmentation. Nil by default.
	Mean, Std []float32
}

// DefaultConfig returns the paper's pipeline for size x size outputs.
func DefaultConfig(size int) Config {
	return Config{
		Size:     size,
		MinScale: 0.08, MaxScale: 1,
		MinRatio: 3.0 / 4, MaxRatio: 4.0 / 3,
		CropAttempts:   10,
		FlipP:          0.5,
		JitterStrength: 1.0,
		JitterP:        0.8,
		GrayP:          0.2,
		Blur:           BlurAuto,
		BlurP:          0.5,
		SigmaMin:       0.1, SigmaMax: 2.0,
	}
}

// BlurEnabled reports whether the blur step is part of the pipeline.
func (c Config) BlurEnabled() bool {
	return c.Blur == BlurOn || (c.Blur == BlurAuto && c.Size > 32)
}

// BlurKernel is the blur kernel size: 10% of Size, odd, at least 3.
func (c Config) BlurKernel() int {
	k := c.Size / 10
	if k%2 == 0 {
		k++
	}
	return max(k, 3)
}

// MaxNoiseStd bounds Config.NoiseStd (values are in [0, 1]).
const MaxNoiseStd = 1

// MaxJitterStrength bounds Config.JitterStrength (1 is ImageNet's).
const MaxJitterStrength = 10

// Validate checks the ranges of every field; every float is finite.
func (c Config) Validate() error {
	bad := func(f string, a ...any) error { return fmt.Errorf("augment: config: "+f, a...) }
	prob := func(name string, p float64) error {
		if !(p >= 0 && p <= 1) {
			return bad("%s %g not in [0, 1]", name, p)
		}
		return nil
	}
	switch {
	case c.Size < 1:
		return bad("Size %d < 1", c.Size)
	case !(c.MinScale > 0 && c.MinScale <= c.MaxScale && c.MaxScale <= 1):
		return bad("scale range [%g, %g] not within (0, 1]", c.MinScale, c.MaxScale)
	case !(c.MinRatio > 0 && c.MinRatio <= c.MaxRatio):
		return bad("ratio range [%g, %g] invalid", c.MinRatio, c.MaxRatio)
	case c.CropAttempts < 1:
		return bad("CropAttempts %d < 1", c.CropAttempts)
	case !(c.JitterStrength >= 0 && c.JitterStrength <= MaxJitterStrength):
		return bad("JitterStrength %g not in [0, %g]", c.JitterStrength, MaxJitterStrength)
	case !(c.MaxRatio <= 1e3):
		return bad("ratio range [%g, %g] invalid", c.MinRatio, c.MaxRatio)
	case !(c.SigmaMin > 0 && c.SigmaMin <= c.SigmaMax && c.SigmaMax <= 1e3):
		return bad("sigma range [%g, %g] invalid", c.SigmaMin, c.SigmaMax)
	case c.Blur < BlurAuto || c.Blur > BlurOff:
		return bad("Blur mode %d unknown", c.Blur)
	case !(c.NoiseStd >= 0 && c.NoiseStd <= MaxNoiseStd):
		return bad("NoiseStd %g not in [0, %g]", c.NoiseStd, MaxNoiseStd)
	case len(c.Mean) != len(c.Std):
		return bad("%d Mean values but %d Std values", len(c.Mean), len(c.Std))
	}
	for i, m := range c.Mean {
		if !(m > -1e30 && m < 1e30) {
			return bad("Mean %g not finite", m)
		}
		if s := c.Std[i]; !(s > 0 && s < 1e30) {
			return bad("Std %g not > 0 and finite", s)
		}
	}
	for _, p := range []struct {
		n string
		p float64
	}{{"FlipP", c.FlipP}, {"JitterP", c.JitterP}, {"GrayP", c.GrayP}, {"BlurP", c.BlurP}, {"SolarizeP", c.SolarizeP}} {
		if err := prob(p.n, p.p); err != nil {
			return err
		}
	}
	return nil
}
