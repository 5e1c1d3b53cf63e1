package layers

import (
	"fmt"
	"math"
	"strconv"

	"simclr-vk/engine"
)

// LossScaler is dynamic loss scaling as PyTorch's GradScaler does it: the
// loss (here the head output's gradient, Model.SetLossScale) is multiplied
// by Scale; a step whose gradients hold Inf or NaN is skipped and halves
// the scale; GrowthInterval good steps in a row double it.
type LossScaler struct {
	Scale          float32 // current scale, a power of two
	GrowthInterval int     // good steps in a row before the scale doubles
	Good           int     // good steps since the scale last changed
	Skipped        int64   // steps skipped (non-finite gradients) so far
}

// Loss-scaling defaults: GradScaler's init_scale, growth_interval, and
// the smallest scale below which non-finite gradients mean divergence,
// not overflow.
const (
	InitLossScale   = 1 << 16
	LossScaleGrowth = 2000
	MinLossScale    = 1.0 / (1 << 14)
	// MaxLossScale bounds growth: gradients that stay zero or tiny for a
	// long time would otherwise double the scale to +Inf in float32 (then
	// every step is skipped, and Inf never halves back) or past what
	// LoadState accepts, saving a checkpoint that cannot resume.
	MaxLossScale        = 1 << 64
	lossScaleKeyScale   = "loss_scale"
	lossScaleKeyGood    = "loss_scale_good_steps"
	lossScaleKeySkipped = "loss_scale_skipped_steps"
)

// NewLossScaler starts at InitLossScale with GradScaler's growth interval.
func NewLossScaler() *LossScaler {
	return &LossScaler{Scale: InitLossScale, GrowthInterval: LossScaleGrowth}
}

// Update takes the outcome of a step whose gradients were computed at
// s.Scale: finite reports whether they all were finite. It returns whether
// the optimizer step is to be taken (false: skipped, the scale halved), or
// an error when the gradients are non-finite with the scale already at
// MinLossScale (the model diverged; no scaling would help).
func (s *LossScaler) Update(finite bool) (step bool, err error) {
	if !finite {
		if s.Scale <= MinLossScale {
			return false, fmt.Errorf("gradients non-finite at loss scale %g (the smallest): not an overflow", s.Scale)
		}
		s.Scale /= 2
		s.Good = 0
		s.Skipped++
		return false, nil
	}
	s.Good++
	if s.GrowthInterval > 0 && s.Good >= s.GrowthInterval {
		s.Scale = min(2*s.Scale, MaxLossScale)
		s.Good = 0
	}
	return true, nil
}

// Step is Update for a step whose gradients of ps, computed at s.Scale,
// have the sum of squares g2 (GradSquares): a finite g2 takes the step and
// divides ps' gradients by the scale they were computed at (UnscaleGrads),
// a non-finite one skips it. The caller sets the new s.Scale where its
// loss is scaled (Model.SetLossScale, Tape.SetLossScale).
func (s *LossScaler) Step(g2 float64, b engine.Backend, ps []*Param) (step bool, err error) {
	used := s.Scale
	if step, err = s.Update(!math.IsNaN(g2) && !math.IsInf(g2, 0)); step {
		UnscaleGrads(b, ps, used)
	}
	return step, err
}

// GradSquares is the sum of squares of ps' gradients, summed on b into acc
// with tmp (one element each) and downloaded once: NaN or Inf in any
// gradient makes it non-finite.
func GradSquares(b engine.Backend, ps []*Param, acc, tmp *engine.Tensor) (float64, error) {
	b.Fill(acc, 0)
	for _, p := range ps {
		b.SumSquares(tmp, p.Grad)
		b.Add(acc, acc, tmp)
	}
	var v [1]float32
	if err := b.Download(acc, v[:]); err != nil {
		return 0, fmt.Errorf("gradient check: %w", err)
	}
	return float64(v[0]), nil
}

// State is the scaler as string values for a checkpoint's extra fields.
func (s *LossScaler) State() map[string]string {
	return map[string]string{
		lossScaleKeyScale:   strconv.FormatFloat(float64(s.Scale), 'g', -1, 32),
		lossScaleKeyGood:    strconv.Itoa(s.Good),
		lossScaleKeySkipped: strconv.FormatInt(s.Skipped, 10),
	}
}

// LoadState restores what State wrote; found is false (and s unchanged)
// when extra holds no loss scale (a float32 run's checkpoint). A scale
// that is not a positive power of two within [MinLossScale, 2^64] or
// counts that do not parse are errors naming the field.
func (s *LossScaler) LoadState(extra map[string]string) (found bool, err error) {
	v, ok := extra[lossScaleKeyScale]
	if !ok {
		return false, nil
	}
	f, err := strconv.ParseFloat(v, 32)
	if err != nil || !(f >= MinLossScale && f <= MaxLossScale) || !powerOfTwo(f) {
		return false, fmt.Errorf("checkpoint field %s = %q: want a power of two from %g to 2^64", lossScaleKeyScale, v, MinLossScale)
	}
	good, err := strconv.Atoi(extra[lossScaleKeyGood])
	if err != nil || good < 0 {
		return false, fmt.Errorf("checkpoint field %s = %q: want a count", lossScaleKeyGood, extra[lossScaleKeyGood])
	}
	skipped, err := strconv.ParseInt(extra[lossScaleKeySkipped], 10, 64)
	if err != nil || skipped < 0 {
		return false, fmt.Errorf("checkpoint field %s = %q: want a count", lossScaleKeySkipped, extra[lossScaleKeySkipped])
	}
	s.Scale, s.Good, s.Skipped = float32(f), good, skipped
	return true, nil
}

func powerOfTwo(f float64) bool {
	for f >= 2 {
		f /= 2
	}
	for f < 1 {
		f *= 2
	}
	return f == 1
}
