package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
)

// TestTrainEndToEnd trains the tiny model for a few epochs on the toy data
// and checks that the loss falls, and the files a run leaves behind.
func TestTrainEndToEnd(t *testing.T) {
	dir := writeToyData(t, 96, 48)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 5
	cfg.KNNEvery = 2
	cfg.LR = 0.25 // peak 1.0 at batch 16 (sqrt scaling)
	res, log, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	spe := 96 / 16
	if res.GlobalStep != int64(5*spe) || res.Epoch != 5 || len(res.Losses) != 5*spe {
		t.Fatalf("ran %d steps / %d epochs (%d losses), want %d / 5", res.GlobalStep, res.Epoch, len(res.Losses), 5*spe)
	}
	first := meanF(res.Losses[:spe])
	last := meanF(res.Losses[len(res.Losses)-spe:])
	t.Logf("mean loss first epoch %.4f, last epoch %.4f; kNN %.2f%% -> %.2f%%", first, last, res.KNNRandom, res.KNNFinal)
	if !(last < first-0.05) {
		t.Errorf("loss did not fall: first epoch %.4f, last %.4f", first, last)
	}
	if math.IsNaN(res.KNNRandom) || math.IsNaN(res.KNNFinal) || res.KNNFinal <= 1 || res.KNNFinal > 100 {
		t.Errorf("kNN random %v final %v: want percentages", res.KNNRandom, res.KNNFinal)
	}
	if !strings.Contains(log, "kNN top-1: random encoder ") || !strings.Contains(log, "-> trained ") {
		t.Errorf("log lacks the final kNN line")
	}
	for _, f := range []string{"config.json", "metrics.jsonl", "plot.png", checkpoint.LatestFile} {
		if _, err := os.Stat(filepath.Join(cfg.Out, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	files, err := checkpoint.List(cfg.Out)
	if err != nil || len(files) != cfg.Keep {
		t.Errorf("checkpoints %v (%v), want the last %d", files, err, cfg.Keep)
	}
	steps, epochs := runLog(t, cfg.Out)
	if len(steps) != 5*spe {
		t.Errorf("%d step records, want %d", len(steps), 5*spe)
	}
	// epoch 0 (random encoder) + 5 epochs; kNN at 0, 2, 4 and 5
	if len(epochs) != 6 {
		t.Fatalf("%d epoch records, want 6", len(epochs))
	}
	for _, e := range epochs {
		has := !math.IsNaN(float64(e.KNNTop1))
		want := e.Epoch == 0 || e.Epoch == 2 || e.Epoch == 4 || e.Epoch == 5
		if has != want {
			t.Errorf("epoch %d: kNN %v, want evaluated %v", e.Epoch, e.KNNTop1, want)
		}
		if has && (e.KNNTop1 < 0 || e.KNNTop1 > 100) {
			t.Errorf("epoch %d: kNN top-1 %v is not a percentage", e.Epoch, e.KNNTop1)
		}
	}
	ck, err := checkpoint.Load(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Meta.Epoch != 5 || ck.Meta.GlobalStep != int64(5*spe) || ck.Meta.StepInEpoch != 0 || len(ck.Meta.Arch) == 0 || len(ck.Meta.Config) == 0 {
		t.Errorf("final checkpoint meta %+v", ck.Meta)
	}
	kinds := map[string]int{}
	for _, ts := range ck.Tensors {
		kinds[ts.Kind]++
	}
	if kinds[checkpoint.KindParam] == 0 || kinds[checkpoint.KindBuffer] == 0 || kinds[checkpoint.KindOptim] != kinds[checkpoint.KindParam] {
		t.Errorf("checkpoint tensor kinds %v: want params, buffers and one momentum per param", kinds)
	}
}

// TestShortLastBatchKept keeps the short last batch: 40 images in batches
// of 16 give 3 steps, the last with 8 images (16 views), and training runs.
func TestShortLastBatchKept(t *testing.T) {
	dir := writeToyData(t, 40, 16)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 1
	cfg.DropLast = false
	res, _, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.GlobalStep != 3 {
		t.Fatalf("%d steps, want 3 (2 full + 1 short)", res.GlobalStep)
	}
	cfg.Out += "-drop"
	cfg.DropLast = true
	if res, _, err = runToy(t, context.Background(), cfg, Options{}); err != nil || res.GlobalStep != 2 {
		t.Fatalf("drop-last: %d steps (%v), want 2", res.GlobalStep, err)
	}
}

// TestNaNKeepsLastGoodCheckpoint resumes a good run with an absurd learning
// rate: the run stops with ErrDiverged naming the step, and the newest
// checkpoint is still the good one, byte for byte.
func TestNaNKeepsLastGoodCheckpoint(t *testing.T) {
	dir := writeToyData(t, 64, 16)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 3
	cfg.MaxSteps = 4 // one epoch
	res, _, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	good := res.Checkpoint
	before, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxSteps = 0
	cfg.Resume = cfg.Out
	cfg.LR = 1e30
	_, log, err := runToy(t, context.Background(), cfg, Options{})
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("err = %v, want ErrDiverged", err)
	}
	if !strings.Contains(err.Error(), "step ") || !strings.Contains(err.Error(), good+" (resume from it with a lower --lr)") {
		t.Errorf("error %q should name the step and the last good checkpoint %s", err, good)
	}
	t.Logf("error: %v", err)
	if !strings.Contains(log, "resumed from") {
		t.Errorf("the second run did not resume")
	}
	files, _ := checkpoint.List(cfg.Out)
	if len(files) != 1 || files[0] != good {
		t.Errorf("checkpoints after divergence %v, want only %s", files, good)
	}
	after, err := os.ReadFile(good)
	if err != nil || string(after) != string(before) {
		t.Errorf("the good checkpoint changed (%v)", err)
	}
	ck, err := checkpoint.Load(cfg.Out)
	if err != nil || ck.Path != good {
		t.Errorf("Load(out) = %v, %v; want the good checkpoint", ck, err)
	}
}

// TestFreshRunRefusesOldCheckpoints: a new run never prunes another run's
// checkpoints.
func TestFreshRunRefusesOldCheckpoints(t *testing.T) {
	cfg := trainedToy(t, 1)
	_, _, err := runToy(t, context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("second fresh run into the same --out: err = %v, want a refusal pointing at --resume", err)
	}
}

// TestErrors: missing data and a bad batch size are clear errors.
func TestErrors(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	cfg := toyConfig(t, dir)
	cfg.Data = filepath.Join(dir, "nope")
	if _, _, err := runToy(t, context.Background(), cfg, Options{}); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("missing data: err = %v", err)
	}
	cfg = toyConfig(t, dir)
	cfg.BatchSize = 64
	if _, _, err := runToy(t, context.Background(), cfg, Options{}); err == nil || !strings.Contains(err.Error(), "--batch-size") {
		t.Errorf("batch larger than the data: err = %v", err)
	}
}

func meanF(v []float32) float64 {
	s := 0.0
	for _, x := range v {
		s += float64(x)
	}
	return s / float64(len(v))
}

// TestUnlabeledSkipsKNN: unlabeled images train, and the kNN monitor is
// skipped with a note instead of failing.
func TestUnlabeledSkipsKNN(t *testing.T) {
	const n, s = 32, 12
	pix := make([]byte, n*s*s)
	for i := range pix {
		pix[i] = byte(i * 7 % 251)
	}
	path := filepath.Join(t.TempDir(), "images.npy")
	if err := data.WriteNpy(path, "|u1", []int{n, s, s}, pix); err != nil {
		t.Fatal(err)
	}
	cfg := toyConfig(t, path)
	cfg.Epochs = 1
	res, log, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "kNN monitor: skipped") || !math.IsNaN(res.KNNFinal) || res.GlobalStep != 2 {
		t.Errorf("unlabeled run: %+v", res)
	}
}

// failing wraps a backend and, once armed, reports err as its sticky error
// (what an out-of-memory allocation does).
type failing struct {
	engine.Backend
	err error
}

func (f *failing) Err() error {
	if f.err != nil {
		return f.err
	}
	return f.Backend.Err()
}

func (f *failing) Flush() error {
	if f.err != nil {
		return f.err
	}
	return f.Backend.Flush()
}

func (f *failing) Download(t *engine.Tensor, dst []float32) error {
	if f.err != nil {
		return f.err
	}
	return f.Backend.Download(t, dst)
}

// TestDeviceErrorKeepsCheckpoint: a sticky backend error (out of memory)
// in the middle of epoch 2 stops the run with an error naming the step and
// the cause, and the checkpoint of epoch 1 stays the newest.
func TestDeviceErrorKeepsCheckpoint(t *testing.T) {
	dir := writeToyData(t, 64, 16)
	cfg := toyConfig(t, dir)
	fb := &failing{Backend: newCPU()}
	defer fb.Backend.Close()
	oom := errors.New("engine: out of memory: New(16, 8, 16, 16) with 1.0 GiB in use")
	var log strings.Builder
	res, err := Run(context.Background(), fb, cfg, Options{Log: &log, OnStep: func(s StepInfo) {
		if s.GlobalStep == 6 {
			fb.err = oom
		}
	}})
	if !errors.Is(err, oom) || !strings.Contains(err.Error(), "step 7 (epoch 2, step 3 of 4)") {
		t.Fatalf("err = %v, want the device error naming step 7", err)
	}
	t.Logf("error: %v", err)
	files, _ := checkpoint.List(cfg.Out)
	if len(files) != 1 || res.Checkpoint != files[0] || !strings.Contains(err.Error(), files[0]) {
		t.Errorf("checkpoints %v (result %q), want only the one of epoch 1, named in the error", files, res.Checkpoint)
	}
	ck, err := checkpoint.Load(cfg.Out)
	if err != nil || ck.Meta.GlobalStep != 4 {
		t.Errorf("newest checkpoint: %v, %v; want step 4", ck, err)
	}
}

// TestDivergedBeforeAnyCheckpoint: a fresh run that diverges before its
// first checkpoint says to start again, not to resume from a checkpoint
// that does not exist; a resumed one says to resume (TestNaNKeepsLastGoodCheckpoint).
func TestDivergedBeforeAnyCheckpoint(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 64, 16))
	cfg.LR = 1e30
	_, _, err := runToy(t, context.Background(), cfg, Options{})
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "no checkpoint was written yet (start again with a lower --lr)") {
		t.Fatalf("err = %v, want ErrDiverged saying to start again", err)
	}
}
