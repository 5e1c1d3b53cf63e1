package train

import (
	"context"
	"testing"

	"simclr-vk/simclr/train/traintest"
)

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

// mixedAgreeRel is traintest.MixedAgree on the runs' checkpoints and
// losses; the runs must have skipped some steps and taken some.
func mixedAgreeRel(t *testing.T, what string, ref, want, got *Result) {
	t.Helper()
	diffs, notes, skipped, err := traintest.MixedAgree(ref.Checkpoint, want.Checkpoint, got.Checkpoint, float64s(ref.Losses), float64s(want.Losses), float64s(got.Losses))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		t.Logf("%s: %s", what, n)
	}
	for _, d := range diffs {
		t.Errorf("%s: %s", what, d)
	}
	if skipped == 0 || skipped == want.GlobalStep {
		t.Errorf("%s: %d of %d steps skipped: the test needs both kinds", what, skipped, want.GlobalStep)
	}
}

// float64s is v in float64, as traintest takes losses.
func float64s(v []float32) []float64 {
	o := make([]float64, len(v))
	for i, x := range v {
		o[i] = float64(x)
	}
	return o
}

// mixedReferences writes the toy data of the mixed tests (64 training
// images: 4 steps of 16 per epoch) and runs mixedConfig on one rank on it,
// in float32 (the noise reference of mixedAgreeRel) and in mixed precision.
func mixedReferences(t *testing.T) (dir string, fp32, mixed *Result) {
	t.Helper()
	dir = writeToyData(t, 64, 16)
	cfg := mixedConfig(t, dir)
	cfg.Precision = PrecisionFP32
	return dir, runWorld(t, 1, cfg, nil).ok(t), runWorld(t, 1, mixedConfig(t, dir), nil).ok(t)
}

// TestMixedMicroBatchMatchesBNGroups: mixed precision in --micro-batch
// chunks of 4 images trains as mixed precision on the whole batch of 16
// with --bn-groups 4 (each chunk's batch statistics, as layerstest's
// ChunkedMatchesGroups compares them in float32), 2 epochs of 4 steps,
// within traintest.MixedAgree's tolerance of the float16 noise, with the same
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
