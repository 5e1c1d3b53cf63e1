package traintest

import (
	"fmt"
	"math"
	"strconv"

	"simclr-vk/simclr/checkpoint"
)

// MixedRel is the tolerance of MixedAgree: a mixed-precision run against
// another mixed run that differs only in float32 summation order or BN
// grouping (chunks, ranks), relative to the float16 noise. The toy
// networks amplify float16 rounding (a value rounding to the neighbouring
// float16 after a last-bit float32 difference), so a fixed tolerance would
// be loose or flaky. docs/mixed-precision.md has the measured ratios.
const MixedRel = 0.25

// lossScaleKeys are the checkpoint fields of the loss scaler
// (layers.LossScaler.State).
var lossScaleKeys = []string{"loss_scale", "loss_scale_good_steps", "loss_scale_skipped_steps"}

// Distance is the L2 norm of the difference between the checkpoints a and
// b over their tensors of kind (checkpoint.KindParam, KindOptim, ...).
func Distance(a, b *checkpoint.Checkpoint, kind string) (float64, error) {
	if len(a.Tensors) != len(b.Tensors) {
		return 0, fmt.Errorf("%d tensors vs %d", len(a.Tensors), len(b.Tensors))
	}
	s := 0.0
	for i, ta := range a.Tensors {
		tb := b.Tensors[i]
		if ta.Kind != kind {
			continue
		}
		if ta.Name != tb.Name || len(ta.Data) != len(tb.Data) {
			return 0, fmt.Errorf("tensor %d: %s (%d values) vs %s (%d)", i, ta.Name, len(ta.Data), tb.Name, len(tb.Data))
		}
		for j, v := range ta.Data {
			d := float64(v) - float64(tb.Data[j])
			s += d * d
		}
	}
	return math.Sqrt(s), nil
}

// LossDistance is the largest relative difference between the step losses
// a and b (+Inf for different step counts).
func LossDistance(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i])/math.Abs(a[i]))
	}
	return d
}

// MixedAgree compares the mixed-precision run got (checkpoint and step
// losses) with the mixed run want, relative to the distance of the float32
// run ref from want: the losses, the parameters and the optimizer state
// (L2 over all tensors) must be nearer to want than MixedRel times ref's
// distance, and the loss scaler's state (scale, good and skipped steps)
// equal. It returns a line per difference, a line per measured ratio in
// notes, and the steps want skipped.
func MixedAgree(ref, want, got string, refL, wantL, gotL []float64) (diffs, notes []string, skipped int64, err error) {
	var cs [3]*checkpoint.Checkpoint
	for i, p := range []string{ref, want, got} {
		if cs[i], err = checkpoint.Load(p); err != nil {
			return nil, nil, 0, err
		}
	}
	cr, cw, cg := cs[0], cs[1], cs[2]
	l, noise := LossDistance(wantL, gotL), LossDistance(wantL, refL)
	notes = append(notes, fmt.Sprintf("losses %.3g apart (relative), %.3g times the float16 noise %.3g", l, l/noise, noise))
	if !(noise > 0) {
		diffs = append(diffs, "the mixed run's losses equal the float32 run's: no float16 rounding took effect")
	} else if !(l <= MixedRel*noise) {
		diffs = append(diffs, fmt.Sprintf("losses %.3g apart (relative), %.3g times the float16 noise %.3g (tolerance %g)", l, l/noise, noise, MixedRel))
	}
	for _, k := range []string{checkpoint.KindParam, checkpoint.KindOptim} {
		d, err := Distance(cw, cg, k)
		if err != nil {
			return nil, nil, 0, err
		}
		noise, err := Distance(cw, cr, k)
		if err != nil {
			return nil, nil, 0, err
		}
		notes = append(notes, fmt.Sprintf("%s tensors %.3g apart, %.3g times the float16 noise %.3g", k, d, d/noise, noise))
		if !(noise > 0) {
			diffs = append(diffs, fmt.Sprintf("the mixed run's %s tensors equal the float32 run's: no float16 rounding took effect", k))
		} else if !(d <= MixedRel*noise) {
			diffs = append(diffs, fmt.Sprintf("%s tensors %.3g apart (L2), %.3g times the float16 noise %.3g (tolerance %g)", k, d, d/noise, noise, MixedRel))
		}
	}
	for _, k := range lossScaleKeys {
		if cw.Meta.Extra[k] == "" || cw.Meta.Extra[k] != cg.Meta.Extra[k] {
			diffs = append(diffs, fmt.Sprintf("checkpoint %s %q vs %q", k, cw.Meta.Extra[k], cg.Meta.Extra[k]))
		}
	}
	skipped, _ = strconv.ParseInt(cw.Meta.Extra["loss_scale_skipped_steps"], 10, 64)
	return diffs, notes, skipped, nil
}
