package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/simclr/checkpoint"
)

// sameTensors requires two checkpoints to hold the same tensors bit for bit.
func sameTensors(t *testing.T, what string, a, b *checkpoint.Checkpoint) {
	t.Helper()
	if len(a.Tensors) != len(b.Tensors) {
		t.Fatalf("%s: %d vs %d tensors", what, len(a.Tensors), len(b.Tensors))
	}
	bad := 0
	for i, x := range a.Tensors {
		y := b.Tensors[i]
		if x.Name != y.Name || x.Kind != y.Kind || len(x.Data) != len(y.Data) {
			t.Fatalf("%s: tensor %d: %s/%s vs %s/%s", what, i, x.Name, x.Kind, y.Name, y.Kind)
		}
		for j := range x.Data {
			if math.Float32bits(x.Data[j]) != math.Float32bits(y.Data[j]) {
				if bad < 5 {
					t.Errorf("%s: %s[%d] = %g vs %g", what, x.Name, j, x.Data[j], y.Data[j])
				}
				bad++
				break
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d tensors differ", what, bad)
	}
}

func sameLosses(t *testing.T, what string, want, got []float32) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d losses, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			t.Fatalf("%s: loss of step %d = %.9g, uninterrupted run %.9g", what, i+1, got[i], want[i])
		}
	}
}

// TestResumeBitExact: on the CPU backend, 2 epochs in one go equal 1 epoch,
// stop, resume for the second (same losses, same weights, optimizer state
// and BN statistics bit for bit); and the same when the run is interrupted
// mid-epoch through its context (the SIGINT path), checkpointed, and
// resumed (the resumed epoch skips the batches already done). With
// --micro-batch 4 (4 chunks a step) the interruption comes in the middle
// of a step's chunks (an upload of its first pass): the step is finished
// and saved whole, never half.
func TestResumeBitExact(t *testing.T) {
	for _, micro := range []string{"0", "4"} {
		t.Run("micro-batch "+micro, func(t *testing.T) { resumeBitExact(t, micro) })
	}
}

// cancelOnUpload is a backend that cancels a context at its armed-th
// Upload after Arm (the loop uploads each batch, a chunked step each
// chunk).
type cancelOnUpload struct {
	engine.Backend
	cancel func()
	armed  int
}

func (c *cancelOnUpload) Upload(t *engine.Tensor, src []float32) {
	if c.armed > 0 {
		if c.armed--; c.armed == 0 {
			c.cancel()
		}
	}
	c.Backend.Upload(t, src)
}

func resumeBitExact(t *testing.T, micro string) {
	dir := writeToyData(t, 64, 16)
	const spe = 4
	base := toyConfig(t, dir)
	base.Epochs = 2
	base.KNNEvery = 1
	base.MicroBatch = micro

	full, _, err := runToy(t, context.Background(), base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := checkpoint.Load(full.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("epoch boundary", func(t *testing.T) {
		cfg := base
		cfg.Out = t.TempDir()
		cfg.MaxSteps = spe
		first, _, err := runToy(t, context.Background(), cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if first.Epoch != 1 || first.GlobalStep != spe {
			t.Fatalf("first part stopped at epoch %d step %d", first.Epoch, first.GlobalStep)
		}
		cfg.MaxSteps = 0
		second := resumeMatches(t, "1 + resume 1", cfg, first, full, want)
		if second.KNNRandom != full.KNNRandom || second.KNNFinal != full.KNNFinal {
			t.Errorf("kNN random %v final %v after resume, uninterrupted %v %v", second.KNNRandom, second.KNNFinal, full.KNNRandom, full.KNNFinal)
		}
	})

	t.Run("interrupted mid-epoch", func(t *testing.T) {
		cfg := base
		cfg.Out = t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		const stopAt = spe + 2 // after step 2 of epoch 2
		b := &cancelOnUpload{Backend: newCPU(), cancel: cancel}
		first, log, err := runToyOn(t, ctx, b, cfg, Options{Command: "simclr-vk train", OnStep: func(s StepInfo) {
			switch {
			case micro != "0" && s.GlobalStep == stopAt-1:
				b.armed = 3 // pass 1's third chunk (of 4)
			case micro == "0" && s.GlobalStep == stopAt:
				cancel() // what the first SIGINT does
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !first.Interrupted || first.GlobalStep != stopAt || first.Epoch != 1 || first.StepInEpoch != 2 || b.armed != 0 {
			t.Fatalf("interrupted run: %+v (uploads left before the cancel: %d)", first, b.armed)
		}
		if !strings.Contains(log, "resume with: simclr-vk train --resume "+cfg.Out) {
			t.Errorf("no resume command in the log")
		}
		ck, err := checkpoint.Load(cfg.Out)
		if err != nil {
			t.Fatal(err)
		}
		if ck.Meta.Epoch != 1 || ck.Meta.StepInEpoch != 2 || ck.Meta.GlobalStep != stopAt {
			t.Fatalf("checkpoint after interruption at epoch %d step %d global %d", ck.Meta.Epoch, ck.Meta.StepInEpoch, ck.Meta.GlobalStep)
		}
		resumeMatches(t, "interrupted + resumed", cfg, first, full, want)
	})
}

// resumeMatches resumes cfg from its Out, where the run first stopped, and
// checks that first's losses then the resumed run's are full's and that
// the resumed run ends with want's tensors, bit for bit.
func resumeMatches(t *testing.T, what string, cfg Config, first, full *Result, want *checkpoint.Checkpoint) *Result {
	t.Helper()
	cfg.Resume = cfg.Out
	second, _, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameLosses(t, what, full.Losses, append(first.Losses, second.Losses...))
	got, err := checkpoint.Load(second.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, what, want, got)
	return second
}

// TestResumeOtherArchitecture: resuming with another width is an error
// naming both architectures, and the checkpoint stays as it was.
func TestResumeOtherArchitecture(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 1
	res, _, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Resume = cfg.Out
	cfg.Epochs = 2
	cfg.Width = 0.125
	_, _, err = runToy(t, context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "width 0.0625") || !strings.Contains(err.Error(), "width 0.125") {
		t.Fatalf("err = %v, want an architecture mismatch naming both widths", err)
	}
	files, _ := checkpoint.List(cfg.Out)
	if len(files) != 1 || files[0] != res.Checkpoint {
		t.Errorf("checkpoints %v, want only %s", files, res.Checkpoint)
	}
	cfg.Width = 1.0 / 16
	cfg.Optimizer = "adamw"
	if _, _, err = runToy(t, context.Background(), cfg, Options{}); err == nil || !strings.Contains(err.Error(), "lars optimizer state") {
		t.Fatalf("err = %v, want an optimizer mismatch", err)
	}
}

// TestResumeOlderCheckpointRefusesToMix: resuming from an older checkpoint
// into the directory that holds newer ones is refused (pruning would delete
// them); into another --out it works.
func TestResumeOlderCheckpointRefusesToMix(t *testing.T) {
	cfg := trainedToy(t, 3)
	files, _ := checkpoint.List(cfg.Out)
	if len(files) != 3 {
		t.Fatalf("checkpoints %v, want 3", files)
	}
	cfg.Resume = files[0] // step 2
	_, _, err := runToy(t, context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer than the checkpoint resumed") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if after, _ := checkpoint.List(cfg.Out); len(after) != 3 {
		t.Errorf("checkpoints changed: %v", after)
	}
	cfg.Out += "-branch"
	res, _, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil || res.GlobalStep != 6 {
		t.Fatalf("resume into another --out: %v, step %d", err, res.GlobalStep)
	}
}
