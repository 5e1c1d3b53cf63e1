package train

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/metrics"
)

// runLog reads the step and epoch records of the run in out.
func runLog(t *testing.T, out string) ([]metrics.StepRecord, []metrics.EpochRecord) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	steps, epochs, err := metrics.ReadLog(f)
	if err != nil {
		t.Fatal(err)
	}
	return steps, epochs
}

// TestMixedResumeContinuesLossScale: a mixed-precision run (the toy model
// overflows float16 at GradScaler's first scales, so steps are skipped and
// the scale halves) logs every step's loss scale and the skipped steps in
// metrics.jsonl, says in its log that mixed precision is emulated, and
// saves the scaler in the checkpoint: 2 epochs in one go equal 1 epoch,
// stop, resume for the second, bit for bit (a resume restarting at 2^16
// would skip other steps).
func TestMixedResumeContinuesLossScale(t *testing.T) {
	base := toyConfig(t, writeToyData(t, 64, 16))
	base.Precision, base.Epochs = PrecisionMixed, 2
	full, log, err := runToy(t, context.Background(), base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "precision: mixed, EMULATED on cpu") {
		t.Errorf("the log does not say that mixed precision is emulated")
	}
	steps, _ := runLog(t, base.Out)
	skipped := int64(0)
	for i, s := range steps {
		if s.Skipped {
			skipped++
		}
		if s.SkippedSteps != skipped || s.LossScale <= 0 {
			t.Errorf("step %d: loss scale %g, %d skipped so far; counted %d", s.GlobalStep, s.LossScale, s.SkippedSteps, skipped)
		}
		if i > 0 && steps[i-1].Skipped && s.LossScale != steps[i-1].LossScale/2 {
			t.Errorf("step %d: loss scale %g after a skipped step at %g", s.GlobalStep, s.LossScale, steps[i-1].LossScale)
		}
	}
	want, err := checkpoint.Load(full.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d steps, %d skipped; checkpoint extras %v", len(steps), skipped, want.Meta.Extra)
	if skipped == 0 {
		t.Fatalf("no step skipped: the test does not exercise the loss scale's resume")
	}
	cfg := base
	cfg.Out = t.TempDir()
	cfg.MaxSteps = 4
	if _, _, err := runToy(t, context.Background(), cfg, Options{}); err != nil {
		t.Fatal(err)
	}
	cfg.MaxSteps = 0
	cfg.Resume = cfg.Out
	second, log, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "loss scale") {
		t.Errorf("the resumed run does not report the loss scale it continues")
	}
	got, err := checkpoint.Load(second.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	sameLosses(t, "resumed mixed run", full.Losses[4:], second.Losses)
	sameTensors(t, "resumed mixed run", want, got)
	for _, k := range []string{"loss_scale", "loss_scale_good_steps", "loss_scale_skipped_steps"} {
		if got.Meta.Extra[k] != want.Meta.Extra[k] || want.Meta.Extra[k] == "" {
			t.Errorf("checkpoint %s: %q resumed, %q in one go", k, got.Meta.Extra[k], want.Meta.Extra[k])
		}
	}
}
