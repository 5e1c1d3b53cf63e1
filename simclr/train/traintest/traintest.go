package traintest

import (
	"fmt"
	"math"
	"os"

	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/metrics"
)

// CheckpointsAgree loads the checkpoints (files or run directories) a and
// b and returns a line for each difference: the position (epoch, step),
// the tensor names, kinds and shapes, and every tensor (parameters, BN
// running statistics and counters, optimizer state) with an entry further
// than rel times its largest magnitude in a from a's. The magnitude is at
// least 1e-4: a tensor whose entries are all below it is rounding noise
// (a bias before batch norm gets a zero gradient up to rounding, and its
// momentum holds nothing but that noise).
func CheckpointsAgree(a, b string, rel float64) ([]string, error) {
	ca, err := checkpoint.Load(a)
	if err != nil {
		return nil, err
	}
	cb, err := checkpoint.Load(b)
	if err != nil {
		return nil, err
	}
	var diffs []string
	if ca.Meta.GlobalStep != cb.Meta.GlobalStep || ca.Meta.Epoch != cb.Meta.Epoch || ca.Meta.StepInEpoch != cb.Meta.StepInEpoch {
		diffs = append(diffs, fmt.Sprintf("position: epoch %d step %d (global %d) vs epoch %d step %d (global %d)",
			ca.Meta.Epoch, ca.Meta.StepInEpoch, ca.Meta.GlobalStep, cb.Meta.Epoch, cb.Meta.StepInEpoch, cb.Meta.GlobalStep))
	}
	if len(ca.Tensors) != len(cb.Tensors) {
		return append(diffs, fmt.Sprintf("%d tensors vs %d", len(ca.Tensors), len(cb.Tensors))), nil
	}
	for i, ta := range ca.Tensors {
		tb := cb.Tensors[i]
		if ta.Name != tb.Name || ta.Kind != tb.Kind || fmt.Sprint(ta.Shape) != fmt.Sprint(tb.Shape) {
			diffs = append(diffs, fmt.Sprintf("tensor %d: %s %s %v vs %s %s %v", i, ta.Name, ta.Kind, ta.Shape, tb.Name, tb.Kind, tb.Shape))
			continue
		}
		scale := 1e-4
		for _, v := range ta.Data {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		worst, at := 0.0, 0
		for j, v := range ta.Data {
			if d := math.Abs(float64(v) - float64(tb.Data[j])); d > worst || math.IsNaN(d) {
				worst, at = d, j
			}
		}
		if !(worst <= rel*scale) {
			diffs = append(diffs, fmt.Sprintf("%s (%s): entry %d is %g vs %g, %.3g of the largest magnitude %g (tolerance %g)",
				ta.Name, ta.Kind, at, ta.Data[at], tb.Data[at], worst/scale, scale, rel))
		}
	}
	return diffs, nil
}

// StepLosses reads the loss of every step record of a metrics.jsonl, in
// order.
func StepLosses(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	steps, _, err := metrics.ReadLog(f)
	if err != nil {
		return nil, err
	}
	losses := make([]float64, len(steps))
	for i, s := range steps {
		losses[i] = float64(s.Loss)
	}
	return losses, nil
}

// LossesAgree returns a line for each step whose loss in b is further than
// rel (relative) from a's, and for a different number of steps.
func LossesAgree(a, b []float64, rel float64) []string {
	var diffs []string
	if len(a) != len(b) {
		diffs = append(diffs, fmt.Sprintf("%d steps vs %d", len(a), len(b)))
	}
	for i := range min(len(a), len(b)) {
		if d := math.Abs(a[i] - b[i]); !(d <= rel*math.Abs(a[i])) {
			diffs = append(diffs, fmt.Sprintf("step %d: loss %.7g vs %.7g (relative %.2g, tolerance %g)", i+1, a[i], b[i], d/math.Abs(a[i]), rel))
		}
	}
	return diffs
}
