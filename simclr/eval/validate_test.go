package eval

import (
	"math"
	"testing"

	"simclr-vk/layers"
)

// TestConfigValidate: non-finite or negative learning rates, negative
// epochs or batches and label fractions outside (0, 1] are errors, not
// silently replaced by the defaults; zero still means the default. An
// initial loss scale must be 0 or a power of two in [MinLossScale, 2^64].
func TestConfigValidate(t *testing.T) {
	for _, c := range []LinearConfig{{LR: math.NaN()}, {LR: math.Inf(1)}, {LR: -0.1}, {Epochs: -1}, {Batch: -5}} {
		c.defaults()
		if c.validate() == nil {
			t.Errorf("linear %+v: no error", c)
		}
	}
	for _, c := range []FineTuneConfig{{LabelFraction: math.NaN()}, {LabelFraction: -0.1}, {LabelFraction: 1.5}, {LR: math.Inf(-1)},
		{FromStage: Stages + 1}, {FromStage: -1}, {Epochs: -3},
		{InitLossScale: 3}, {InitLossScale: -256}, {InitLossScale: float32(math.NaN())}, {InitLossScale: float32(math.Inf(1))},
		{InitLossScale: 1 << 65}, {InitLossScale: layers.MinLossScale / 2}} {
		c.defaults()
		if c.validate() == nil {
			t.Errorf("finetune %+v: no error", c)
		}
	}
	var l LinearConfig
	l.defaults()
	var f FineTuneConfig
	f.defaults()
	if err := l.validate(); err != nil {
		t.Error(err)
	}
	if err := f.validate(); err != nil || f.LabelFraction != 0.1 {
		t.Errorf("finetune defaults: %v, fraction %g", err, f.LabelFraction)
	}
	for _, s := range []float32{layers.MinLossScale, 1, 256, layers.MaxLossScale} {
		if f.InitLossScale = s; f.validate() != nil {
			t.Errorf("finetune initial loss scale %g: %v", s, f.validate())
		}
	}
}
