package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"simclr-vk/dist"
	"simclr-vk/engine/cpu"
	"simclr-vk/simclr/train/traintest"
)

// Tolerances of a data-parallel run against a world of one on the same
// global batches (they differ only in float summation order): the loss of
// each step, relative; every checkpoint tensor (parameters, BN statistics,
// optimizer state), relative to its largest entry (layerstest.DataParallel's
// tolerances).
const (
	lossTol   = 1e-4
	tensorTol = 3e-3
	// resumeLR is the base rate of the resume test: at the default rate
	// (peak 0.21 at batch 8) the toy run is chaotic, and the last-bit
	// differences between 1 and 2 ranks (BLAS kernels of another CPU
	// generation order sums differently) grow past the tolerance within
	// 4 steps; at a tenth of it they stay bounded.
	resumeLR = 0.0075
)

// worldRun is what each rank of a world returned.
type worldRun struct {
	res  []*Result
	errs []error
	logs []string
}

// runWorld runs cfg on the ranks of dist.Local(world), each on a CPU
// backend of one thread in a goroutine of its own, with the context and
// options rankOpt gives (nil: background, none). A rank whose Run fails
// aborts the world, as dist.Fatal does under MPI, so that no rank waits
// for it; a world that has not ended after a minute fails the test.
func runWorld(t *testing.T, world int, cfg Config, rankOpt func(rank int) (context.Context, Options)) worldRun {
	t.Helper()
	cfgs := make([]Config, world)
	for r := range cfgs {
		cfgs[r] = cfg
	}
	return runRanks(t, cfgs, rankOpt)
}

// runRanks is runWorld with a configuration per rank.
func runRanks(t *testing.T, cfgs []Config, rankOpt func(rank int) (context.Context, Options)) worldRun {
	t.Helper()
	return runComms(t, cfgs, dist.Local(len(cfgs)), rankOpt)
}

// runComms is runRanks on the given comms, one per rank (a test may wrap
// dist.Local's).
func runComms(t *testing.T, cfgs []Config, comms []dist.Comm, rankOpt func(rank int) (context.Context, Options)) worldRun {
	t.Helper()
	world := len(cfgs)
	w := worldRun{res: make([]*Result, world), errs: make([]error, world), logs: make([]string, world)}
	var wg sync.WaitGroup
	for r, comm := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, opt := context.Background(), Options{}
			if rankOpt != nil {
				ctx, opt = rankOpt(r)
			}
			var log bytes.Buffer
			opt.Log, opt.Comm = &log, comm
			b := cpu.New(cpu.Options{Threads: 1})
			defer b.Close()
			defer func() { w.logs[r] = log.String() }()
			w.res[r], w.errs[r] = Run(ctx, b, cfgs[r], opt)
			if w.errs[r] != nil {
				comm.Abort(1)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("a world of %d did not end within a minute (a rank waits in a collective)", world)
	}
	t.Logf("rank 0's log:\n%s", w.logs[0])
	return w
}

// ok fails the test on any rank's error and returns rank 0's result.
func (w worldRun) ok(t *testing.T) *Result {
	t.Helper()
	for r, err := range w.errs {
		if err != nil {
			t.Fatalf("rank %d of %d: %v", r, len(w.errs), err)
		}
	}
	return w.res[0]
}

// parallelConfig is toyConfig at global batch 8 (4 steps per epoch of 32
// images) with a check of the ranks' parameters after every step.
func parallelConfig(t *testing.T, dir string) Config {
	cfg := toyConfig(t, dir)
	cfg.BatchSize = 8
	cfg.SyncCheck = 1
	return cfg
}

func agree(t *testing.T, what, a, b string, la, lb []float32) {
	t.Helper()
	for _, d := range traintest.LossesAgree(float64s(la), float64s(lb), lossTol) {
		t.Errorf("%s: %s", what, d)
	}
	diffs, err := traintest.CheckpointsAgree(a, b, tensorTol)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("%s: %s", what, d)
	}
}

// TestDataParallelMatchesOneWorld: 3 LARS steps on 2 ranks at global batch
// 8 (4 images each) equal 3 steps of one rank at batch 8 (the same data
// order, views and initialisation): losses and every checkpoint tensor
// within lossTol / tensorTol, with global BN, and with per-rank BN against
// one rank normalising in 2 BN groups. Rank 1 logs nothing and writes no
// checkpoint (it does not take the run lock: two would conflict); the
// ranks' losses are the same bits; metrics.jsonl has the communication
// time.
func TestDataParallelMatchesOneWorld(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	for _, globalBN := range []bool{true, false} {
		name := "globalBN"
		if !globalBN {
			name = "deviceBN"
		}
		t.Run(name, func(t *testing.T) {
			one := parallelConfig(t, dir)
			one.MaxSteps = 3
			if !globalBN {
				one.BNGroups = 2
			}
			want := runWorld(t, 1, one, nil).ok(t)
			two := parallelConfig(t, dir)
			two.MaxSteps, two.GlobalBN = 3, globalBN
			w := runWorld(t, 2, two, nil)
			got := w.ok(t)
			agree(t, "2 ranks vs 1", want.Checkpoint, got.Checkpoint, want.Losses, got.Losses)
			if w.logs[1] != "" || w.res[1].Checkpoint != "" {
				t.Errorf("rank 1 logged %q and wrote checkpoint %q", w.logs[1], w.res[1].Checkpoint)
			}
			sameLosses(t, "rank 1 vs rank 0", got.Losses, w.res[1].Losses)
			m, err := os.ReadFile(filepath.Join(two.Out, "metrics.jsonl"))
			if err != nil || strings.Count(string(m), `"comm_ms":`) != 3 {
				t.Errorf("metrics.jsonl of 3 steps without 3 comm_ms (%v):\n%s", err, m)
			}
		})
	}
}

// TestDataParallelResumeAcrossWorlds: 1 epoch on 2 ranks resumed for the
// second on 1 rank, and 1 epoch on 1 rank resumed on 2, equal 2 epochs on
// one rank within lossTol / tensorTol (the position, the schedule and the
// data order carry over; every rank reads the checkpoint and they are
// checked in sync).
func TestDataParallelResumeAcrossWorlds(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	const spe = 4
	cfg0 := parallelConfig(t, dir)
	cfg0.LR = resumeLR
	full := runWorld(t, 1, cfg0, nil).ok(t)
	for _, worlds := range [][2]int{{2, 1}, {1, 2}} {
		t.Run(string(rune('0'+worlds[0]))+"to"+string(rune('0'+worlds[1])), func(t *testing.T) {
			cfg := parallelConfig(t, dir)
			cfg.LR = resumeLR
			cfg.MaxSteps = spe
			first := runWorld(t, worlds[0], cfg, nil).ok(t)
			if first.Epoch != 1 || first.GlobalStep != spe {
				t.Fatalf("first part stopped at epoch %d step %d", first.Epoch, first.GlobalStep)
			}
			cfg.MaxSteps, cfg.Resume = 0, cfg.Out
			second := runWorld(t, worlds[1], cfg, nil).ok(t)
			agree(t, "resumed on another world size vs one run", full.Checkpoint, second.Checkpoint, full.Losses, append(first.Losses, second.Losses...))
		})
	}
}

// configCase is a case of a table of configurations: edit makes it from
// the test's base configuration, want is in the error it must give.
type configCase struct {
	name string
	edit func(*Config)
	want string
}

// TestDataParallelBadWorld: a global batch that does not split over the
// ranks, or a last batch kept that does not, and BN groups with global
// BN, are refused on every rank before any work (no rank waits for
// another), naming the sizes that work.
func TestDataParallelBadWorld(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	for _, c := range []configCase{
		{"batch", func(c *Config) { c.BatchSize = 7 }, "batch size 7 does not split over 2 ranks: the global batch must be a multiple of the world size (e.g. 6 or 8)"},
		{"last batch", func(c *Config) { c.Subset, c.DropLast = 31, false }, "the last batch of each epoch (7 of 31 images) does not split over 2 ranks"},
		{"bn groups", func(c *Config) { c.BNGroups = 2 }, "--bn-groups 2 with --global-bn on 2 ranks"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := parallelConfig(t, dir)
			c.edit(&cfg)
			w := runWorld(t, 2, cfg, nil)
			for r, err := range w.errs {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("rank %d: %v, want %q", r, err, c.want)
				}
			}
			if _, err := os.Stat(cfg.Out); !os.IsNotExist(err) {
				t.Errorf("--out was created (%v)", err)
			}
		})
	}
}

// TestDataParallelStopsTogether: a signal that reaches one rank only (its
// context cancelled after step 2) stops every rank after the same step,
// and rank 0 writes the checkpoint of that step.
func TestDataParallelStopsTogether(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	cfg := parallelConfig(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := runWorld(t, 2, cfg, func(r int) (context.Context, Options) {
		if r == 0 {
			return context.Background(), Options{}
		}
		return ctx, Options{OnStep: func(s StepInfo) {
			if s.GlobalStep == 2 {
				cancel()
			}
		}}
	})
	w.ok(t)
	for r, res := range w.res {
		if !res.Interrupted || res.GlobalStep != 2 {
			t.Errorf("rank %d: interrupted %v at global step %d, want after step 2", r, res.Interrupted, res.GlobalStep)
		}
	}
	if filepath.Base(w.res[0].Checkpoint) != "checkpoint-000002.ckpt" {
		t.Errorf("rank 0 saved %q", w.res[0].Checkpoint)
	}
}

// TestDataParallelRanksDisagree: ranks started with different training
// options (another --lr on one node of a hostfile run) or different data
// stop before any step, every rank with an error naming the ranks that
// differ, instead of training a model no single configuration describes
// (or waiting in mismatched collectives). Per-rank settings (--device,
// --workers, the --data path) may differ.
func TestDataParallelRanksDisagree(t *testing.T) {
	dir := writeToyData(t, 32, 16)
	for _, c := range []configCase{
		{"lr", func(c *Config) { c.LR *= 2 }, "rank 1 differs from rank 0"},
		{"data", func(c *Config) { c.Subset = 16 }, "rank 1 differs from rank 0"},
		{"per-rank settings", func(c *Config) { c.Workers = 3; c.Device = "x" }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := parallelConfig(t, dir)
			base.MaxSteps = 1
			other := base
			c.edit(&other)
			w := runRanks(t, []Config{base, other}, nil)
			for r, err := range w.errs {
				if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
					t.Errorf("rank %d: %v, want %q", r, err, c.want)
				}
			}
		})
	}
}
