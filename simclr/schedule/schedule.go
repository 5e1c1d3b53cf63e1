package schedule

import (
	"fmt"
	"math"
)

// Scaling rules for the base learning rate.
const (
	ScalingLinear = "linear" // lr = base * B / 256
	ScalingSqrt   = "sqrt"   // lr = base * sqrt(B)
	ScalingNone   = "none"   // lr = base
)

// ScaledLR returns the peak learning rate for a base rate, a scaling rule
// and a (global) batch size.
func ScaledLR(base float64, scaling string, batch int) (float64, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("schedule: batch size %d must be positive", batch)
	}
	switch scaling {
	case ScalingLinear:
		return base * float64(batch) / 256, nil
	case ScalingSqrt:
		return base * math.Sqrt(float64(batch)), nil
	case ScalingNone, "":
		return base, nil
	}
	return 0, fmt.Errorf("schedule: unknown lr scaling %q (want linear, sqrt or none)", scaling)
}

// WarmupSteps converts a warm-up length in epochs to steps.
func WarmupSteps(epochs float64, stepsPerEpoch int) int {
	return int(math.Round(epochs * float64(stepsPerEpoch)))
}

// Cosine is linear warm-up then cosine decay to 0.
type Cosine struct {
	Peak   float64 // learning rate at the end of warm-up
	Warmup int     // warm-up steps (0: start at Peak)
	Total  int     // total optimizer steps of the run
}

// NewCosine checks its arguments and returns the schedule.
func NewCosine(peak float64, warmup, total int) (Cosine, error) {
	if total <= 0 {
		return Cosine{}, fmt.Errorf("schedule: total steps %d must be positive", total)
	}
	if warmup < 0 || warmup > total {
		return Cosine{}, fmt.Errorf("schedule: warm-up %d steps outside [0, %d]", warmup, total)
	}
	if math.IsNaN(peak) || peak < 0 {
		return Cosine{}, fmt.Errorf("schedule: peak lr %v must be >= 0", peak)
	}
	return Cosine{Peak: peak, Warmup: warmup, Total: total}, nil
}

// LR returns the learning rate of 0-based step (the step-th update).
//
//	step < Warmup: Peak * step / Warmup     (0 at step 0)
//	otherwise:     Peak * 0.5 * (1 + cos(pi * (step - Warmup) / (Total - Warmup)))
//
// which is Peak right after warm-up and tends to 0 at step Total; steps at
// or past Total return 0. This matches the reference implementation, where
// the warm-up ramp starts at 0 and the decay uses the global step.
func (s Cosine) LR(step int) float64 {
	if step < 0 {
		step = 0
	}
	if step >= s.Total {
		return 0
	}
	if step < s.Warmup {
		return s.Peak * float64(step) / float64(s.Warmup)
	}
	decay := s.Total - s.Warmup
	p := float64(step-s.Warmup) / float64(decay)
	return s.Peak * 0.5 * (1 + math.Cos(math.Pi*p))
}
