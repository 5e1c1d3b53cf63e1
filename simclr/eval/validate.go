package eval

import (
	"fmt"
	"math"

	"simclr-vk/layers"
)

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// validate checks the configuration after defaults: a finite positive
// learning rate and positive epochs and batch.
func (c LinearConfig) validate() error {
	return checkRun("linear probe", c.Epochs, c.Batch, c.LR)
}

// validate checks the configuration after defaults: as LinearConfig, a
// label fraction in (0, 1], a stage in [0, Stages] and an initial loss
// scale 0 or a power of two in [layers.MinLossScale, layers.MaxLossScale].
func (c FineTuneConfig) validate() error {
	if s := float64(c.InitLossScale); s != 0 {
		if frac, _ := math.Frexp(s); !(s >= layers.MinLossScale && s <= layers.MaxLossScale && frac == 0.5) {
			return fmt.Errorf("eval: finetune: initial loss scale %g: want 0 (the default) or a power of two from %g to 2^64", s, layers.MinLossScale)
		}
	}
	if !(finite(c.LabelFraction) && c.LabelFraction > 0 && c.LabelFraction <= 1) {
		return fmt.Errorf("eval: finetune: label fraction %g not in (0, 1]", c.LabelFraction)
	}
	if c.FromStage < 0 || c.FromStage > Stages {
		return fmt.Errorf("eval: finetune: stage %d not in [0, %d]", c.FromStage, Stages)
	}
	return checkRun("finetune", c.Epochs, c.Batch, c.LR)
}

func checkRun(what string, epochs, batch int, lr float64) error {
	if epochs < 1 || batch < 1 {
		return fmt.Errorf("eval: %s: epochs %d and batch %d must be positive", what, epochs, batch)
	}
	if !(finite(lr) && lr > 0) {
		return fmt.Errorf("eval: %s: learning rate %g: want a finite positive number (0: the default)", what, lr)
	}
	return nil
}
