package train

import (
	"context"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"simclr-vk/dist"
)

// TestMixedDataParallelMatchesOneWorld: mixed precision on 2 ranks with
// global BN (8 images each) trains as mixed precision on one rank at the
// global batch of 16, 2 epochs of 4 steps, within traintest.MixedAgree's
// tolerance of the float16 noise, with the same steps skipped for
// overflow (the ranks are checked in sync after every step, so rank 1
// skipped them too); the ranks' losses are the same bits.
func TestMixedDataParallelMatchesOneWorld(t *testing.T) {
	dir, ref, want := mixedReferences(t)
	w := runWorld(t, 2, mixedConfig(t, dir), nil)
	got := w.ok(t)
	mixedAgreeRel(t, "mixed on 2 ranks vs 1", ref, want, got)
	sameLosses(t, "rank 1 vs rank 0", got.Losses, w.res[1].Losses)
}

// TestMixedResumeAcrossWorlds: a mixed run's first 6 steps on 2 ranks
// (the first 4 skipped for overflow) resumed mid-epoch for the last 2 on
// 1 rank, and on 1 rank resumed on 2, trains as the 8 steps on one rank within traintest.MixedAgree's tolerance, the loss
// scaler's state (scale, good and skipped steps) the same: every rank
// resumes the scale from the checkpoint.
func TestMixedResumeAcrossWorlds(t *testing.T) {
	dir, ref, full := mixedReferences(t)
	for _, worlds := range [][2]int{{2, 1}, {1, 2}} {
		t.Run(string(rune('0'+worlds[0]))+"to"+string(rune('0'+worlds[1])), func(t *testing.T) {
			cfg := mixedConfig(t, dir)
			cfg.MaxSteps = 6
			first := runWorld(t, worlds[0], cfg, nil).ok(t)
			if first.Epoch != 1 || first.GlobalStep != 6 {
				t.Fatalf("first part stopped at epoch %d step %d", first.Epoch, first.GlobalStep)
			}
			cfg.MaxSteps, cfg.Resume = 0, cfg.Out
			w := runWorld(t, worlds[1], cfg, nil)
			second := w.ok(t)
			if !strings.Contains(w.logs[0], "loss scale") {
				t.Errorf("the resumed run does not report the loss scale it continues")
			}
			got := *second
			got.Losses = append(append([]float32(nil), first.Losses...), second.Losses...)
			mixedAgreeRel(t, "mixed resumed on another world size vs one run", ref, full, &got)
		})
	}
}

// overflowComm is a rank's comm that puts +Inf into the first gradient
// all-reduce (a buffer of at least minGradFloats floats: the batch-norm
// sums, the loss and the checks are smaller) after armed is set, once:
// into the rank's own contribution (the rank's gradients overflowed), or
// with after into its copy of the result only (what a rank deciding from
// its own gradients alone would see). It has only the blocking
// AllreduceSum (asyncOverflowComm adds IallreduceSum).
type overflowComm struct {
	dist.Comm
	armed atomic.Bool
	after bool
	// grads counts the gradient all-reduces, overlapped those of them
	// started with IallreduceSum.
	grads, overlapped atomic.Int64
}

const minGradFloats = 1000

func (c *overflowComm) inject(buf []float32) bool {
	if len(buf) < minGradFloats {
		return false
	}
	c.grads.Add(1)
	return c.armed.CompareAndSwap(true, false)
}

func (c *overflowComm) AllreduceSum(buf []float32) error {
	inject := c.inject(buf)
	if inject && !c.after {
		buf[0] = float32(math.Inf(1))
	}
	err := c.Comm.AllreduceSum(buf)
	if inject && c.after {
		buf[0] = float32(math.Inf(1))
	}
	return err
}

// asyncOverflowComm is overflowComm with the overlapped all-reduce
// (dist.AsyncAllreducer) of the comm it wraps, which the data-parallel
// step then uses for its gradient buckets on the CPU backend.
type asyncOverflowComm struct{ *overflowComm }

func (c asyncOverflowComm) IallreduceSum(buf []float32) (dist.Request, error) {
	if len(buf) >= minGradFloats {
		c.overlapped.Add(1)
	}
	inject := c.inject(buf)
	if inject && !c.after {
		buf[0] = float32(math.Inf(1))
	}
	req, err := c.Comm.(dist.AsyncAllreducer).IallreduceSum(buf)
	if inject && c.after && err == nil {
		req = afterRequest{req, buf}
	}
	return req, err
}

// afterRequest puts +Inf into the result once the all-reduce is done.
type afterRequest struct {
	dist.Request
	buf []float32
}

func (r afterRequest) Wait() error {
	err := r.Request.Wait()
	r.buf[0] = float32(math.Inf(1))
	return err
}

// TestMixedSkipIsGlobal: gradients that overflow on rank 1 alone (an Inf
// in its contribution to the all-reduce at step 6, where the scale has
// settled) make every rank skip that step and halve its scale: rank 0's
// metrics record the skip and the halved scale, the ranks stay in sync
// (--sync-check 1) and train on. The check is made on the all-reduced
// gradients, so one rank's Inf reaches every rank's decision; both with
// the blocking all-reduce and the overlapped one (the CPU backend's
// default). With the Inf in rank 1's result only (a per-rank decision), rank 1 skips alone and
// the sync check stops the world: the test's own proof that it would see
// a lone skip.
func TestMixedSkipIsGlobal(t *testing.T) {
	dir := writeToyData(t, 64, 16)
	const at = 6 // 1-based step whose gradients overflow on rank 1
	base := mixedConfig(t, dir)
	runWith := func(cfg Config, async, after bool) (worldRun, *overflowComm) {
		comms := dist.Local(2)
		oc := &overflowComm{Comm: comms[1], after: after}
		comms[1] = oc
		if async {
			comms[1] = asyncOverflowComm{oc}
		}
		w := runComms(t, []Config{cfg, cfg}, comms, func(r int) (context.Context, Options) {
			if r == 0 {
				return context.Background(), Options{}
			}
			return context.Background(), Options{OnStep: func(s StepInfo) {
				if s.GlobalStep == at-1 {
					oc.armed.Store(true)
				}
			}}
		})
		return w, oc
	}
	clean := runWorld(t, 2, base, nil).ok(t)
	cleanSteps, _ := runLog(t, base.Out)
	if len(cleanSteps) != 8 || cleanSteps[at-1].Skipped || cleanSteps[at].Skipped {
		t.Fatalf("the clean run skips step %d or %d (or ran %d steps): pick another step", at, at+1, len(cleanSteps))
	}
	for _, async := range []bool{false, true} {
		name := "blocking all-reduce"
		if async {
			name = "overlapped all-reduce"
		}
		t.Run(name, func(t *testing.T) {
			cfg := mixedConfig(t, dir)
			w, oc := runWith(cfg, async, false)
			w.ok(t)
			if n, o := oc.grads.Load(), oc.overlapped.Load(); n == 0 || async != (o > 0) {
				t.Fatalf("%d gradient all-reduces through the wrapped comm, %d of them overlapped", n, o)
			}
			steps, _ := runLog(t, cfg.Out)
			if len(steps) != len(cleanSteps) {
				t.Fatalf("%d steps logged, %d in the clean run", len(steps), len(cleanSteps))
			}
			for i, s := range steps {
				c := cleanSteps[i]
				switch {
				case i < at-1 && (s.Skipped != c.Skipped || s.LossScale != c.LossScale || s.Loss != c.Loss):
					t.Errorf("step %d before the overflow: skipped %v at scale %g, clean %v at %g", i+1, s.Skipped, s.LossScale, c.Skipped, c.LossScale)
				case i == at-1 && (!s.Skipped || s.LossScale != c.LossScale || s.SkippedSteps != c.SkippedSteps+1):
					t.Errorf("step %d (Inf on rank 1): skipped %v at scale %g (%d skipped so far), want skipped at %g", i+1, s.Skipped, s.LossScale, s.SkippedSteps, c.LossScale)
				case i == at && s.LossScale != c.LossScale/2:
					t.Errorf("step %d after the overflow: scale %g, want half the clean %g", i+1, s.LossScale, c.LossScale)
				}
			}
			sameLosses(t, "rank 1 vs rank 0", w.res[0].Losses, w.res[1].Losses)
			if w.res[0].GlobalStep != clean.GlobalStep {
				t.Errorf("%d steps, clean %d", w.res[0].GlobalStep, clean.GlobalStep)
			}

			t.Run("per-rank decision is caught", func(t *testing.T) {
				cfg := mixedConfig(t, dir)
				w, _ := runWith(cfg, async, true)
				if w.errs[0] == nil && w.errs[1] == nil {
					t.Fatalf("rank 1 alone saw an overflow and no rank failed: the sync check missed a lone skip")
				}
				if err := w.errs[0]; err == nil || !strings.Contains(err.Error(), "--sync-check") {
					t.Errorf("rank 0: %v, want a --sync-check error", err)
				}
			})
		})
	}
}
