package train

import (
	"context"
	"math"
	"slices"
	"strconv"
	"testing"

	"simclr-vk/simclr/checkpoint"
)

// mixedRel is the tolerance of a mixed-precision run against another mixed
// run that differs only in float32 summation order or BN grouping (chunks,
// ranks), relative to the float16 noise: their distance (L2 over the
// parameters, over the optimizer state, and the largest relative loss
// difference) must stay below mixedRel times the distance of the float32
// run from the mixed one. The toy network amplifies float16 rounding (a
// value rounding to the neighbouring float16 after a last-bit float32
// difference), so a fixed tolerance would be loose or flaky. The float32
// run takes the 4 steps that mixed skips for overflow, which widens the
// noise; the tests' measured ratios are 0.002 to 0.03, and the mutations
// they were checked with (no loss scale in the chunks' backward, a rank
// keeping its own scale) give 0.2 to 0.6 and a different scaler state.
const mixedRel = 0.25

// mixedConfig is toyConfig in mixed precision at global batch 16 for 2
// epochs of 4 steps, at resumeLR (the toy run is chaotic at the default
// rate), checked in sync across ranks after every step.
func mixedConfig(t *testing.T, dir string) Config {
	cfg := toyConfig(t, dir)
	cfg.Precision = PrecisionMixed
	cfg.LR = resumeLR
	cfg.SyncCheck = 1
	return cfg
}

// ckDistance is the L2 norm of the difference between the checkpoints a
// and b over the tensors of the given kinds.
func ckDistance(t *testing.T, a, b string, kinds ...string) float64 {
	t.Helper()
	ca, err := checkpoint.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := checkpoint.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ca.Tensors) != len(cb.Tensors) {
		t.Fatalf("%s: %d tensors, %s: %d", a, len(ca.Tensors), b, len(cb.Tensors))
	}
	s := 0.0
	for i, ta := range ca.Tensors {
		if !slices.Contains(kinds, ta.Kind) {
			continue
		}
		for j, v := range ta.Data {
			d := float64(v) - float64(cb.Tensors[i].Data[j])
			s += d * d
		}
	}
	return math.Sqrt(s)
}

// lossDistance is the largest difference between the step losses a and b,
// relative.
func lossDistance(a, b []float32) float64 {
	d := 0.0
	if len(a) != len(b) {
		return math.Inf(1)
	}
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i]))/math.Abs(float64(a[i])))
	}
	return d
}

// mixedAgreeRel: mixed runs got and want that differ only in float32
// summation order or batch statistics' grouping agree relative to the
// float16 noise, the distance of want from the float32 run ref (the toy
// network amplifies float16 rounding, so a fixed tolerance would be
// either loose or flaky): the losses, the parameters and the optimizer
// state (L2 norm over all tensors) nearer to want than mixedRel times
// ref's distance, and the loss scaler's state equal (the same steps
// skipped). It returns the steps skipped.
func mixedAgreeRel(t *testing.T, what string, ref, want, got *Result) int64 {
	t.Helper()
	if l, noise := lossDistance(want.Losses, got.Losses), lossDistance(want.Losses, ref.Losses); !(l <= mixedRel*noise) {
		t.Errorf("%s: losses %.3g apart (relative), %.3g times the float16 noise %.3g (tolerance %g)", what, l, l/noise, noise, mixedRel)
	}
	for _, k := range []string{checkpoint.KindParam, checkpoint.KindOptim} {
		d, noise := ckDistance(t, want.Checkpoint, got.Checkpoint, k), ckDistance(t, want.Checkpoint, ref.Checkpoint, k)
		t.Logf("%s: %s tensors %.3g apart, %.3g times the float16 noise %.3g", what, k, d, d/noise, noise)
		if !(d <= mixedRel*noise) {
			t.Errorf("%s: %s tensors %.3g apart (L2), %.3g times the float16 noise %.3g (tolerance %g)", what, k, d, d/noise, noise, mixedRel)
		}
	}
	ca, err := checkpoint.Load(want.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := checkpoint.Load(got.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss_scale", "loss_scale_good_steps", "loss_scale_skipped_steps"} {
		if ca.Meta.Extra[k] == "" || ca.Meta.Extra[k] != cb.Meta.Extra[k] {
			t.Errorf("%s: checkpoint %s %q vs %q", what, k, ca.Meta.Extra[k], cb.Meta.Extra[k])
		}
	}
	n, _ := strconv.ParseInt(ca.Meta.Extra["loss_scale_skipped_steps"], 10, 64)
	if n == 0 || n == want.GlobalStep {
		t.Errorf("%s: %d of %d steps skipped: the test needs both kinds", what, n, want.GlobalStep)
	}
	return n
}

// TestMixedMicroBatchMatchesBNGroups: mixed precision in --micro-batch
// chunks of 4 images trains as mixed precision on the whole batch of 16
// with --bn-groups 4 (each chunk's batch statistics, as layerstest's
// ChunkedMatchesGroups compares them in float32), 2 epochs of 4 steps,
// within mixedAgreeRel's tolerance of the float16 noise, with the same
// steps skipped for overflow: the float16 rounding points and the loss
// scale apply alike chunked or not. The BN running statistics are not
// compared: chunks move them once per chunk.
func TestMixedMicroBatchMatchesBNGroups(t *testing.T) {
	dir := writeToyData(t, 64, 16)
	run := func(p string, micro bool) *Result {
		cfg := mixedConfig(t, dir)
		cfg.Precision = p
		if micro {
			cfg.MicroBatch = "4"
		} else {
			cfg.BNGroups = 4
		}
		res, _, err := runToy(t, context.Background(), cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ref, want, got := run(PrecisionFP32, false), run(PrecisionMixed, false), run(PrecisionMixed, true)
	mixedAgreeRel(t, "mixed in chunks of 4 vs BN groups of 4", ref, want, got)
}
