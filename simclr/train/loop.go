package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/metrics"
)

// epochStats accumulates one epoch (the part run by this call).
type epochStats struct {
	start         time.Time
	steps, images int
	loss, acc     float64
	wait          time.Duration
	comm          float64 // ms in data-parallel communication
}

// loop runs the epochs from the restored position.
func (r *run) loop(ctx context.Context) error {
	cfg := r.cfg
	fresh := r.pos.GlobalStep == 0 && r.pos.Epoch == 0 && r.pos.StepInEpoch == 0
	if fresh && r.mon != nil {
		t0 := time.Now()
		k, err := r.evalKNN()
		if err != nil {
			return err
		}
		r.pos.KNNRandom, r.res.KNNRandom = k.top1, k.top1
		if err := r.mlog.Epoch(metrics.EpochRecord{Epoch: 0, Loss: metrics.Float(math.NaN()), Acc: metrics.Float(math.NaN()),
			KNNTop1: metrics.Float(k.top1), KNNTop5: metrics.Float(k.top5), ImagesPerSec: metrics.Float(math.NaN()),
			Seconds: metrics.Float(time.Since(t0).Seconds()), Extra: map[string]string{"encoder": "random"}}); err != nil {
			return err
		}
		fmt.Fprintf(r.log, "epoch 0 (random encoder): kNN top-1 %.2f%%%s (%s)\n", k.top1, top5Text(k), metrics.FormatDuration(time.Since(t0)))
	}
	aug, err := cfg.augConfig(r.size())
	if err != nil {
		return err
	}
	va, err := r.viewAugmenter(aug)
	if err != nil {
		return err
	}
	if va != nil {
		fmt.Fprintf(r.log, "views rendered on the device (--augment-on %s)\n", cfg.AugmentOn)
	}
	if r.pos.Epoch >= cfg.Epochs || r.maxed() {
		fmt.Fprintf(r.log, "nothing to do: the run is at epoch %d of %d, global step %d (--max-steps %d); raise --epochs to train longer (the learning-rate schedule then changes)\n",
			r.pos.Epoch, cfg.Epochs, r.pos.GlobalStep, cfg.MaxSteps)
	}
	stopped := false
	for r.pos.Epoch < cfg.Epochs && !r.maxed() {
		if stop, err := r.stopNow(ctx); err != nil {
			return err
		} else if stop {
			return r.interrupt()
		}
		done, err := r.epoch(ctx, aug, va)
		if err != nil {
			return err
		}
		if !done { // interrupted or max-steps inside the epoch
			if r.stop {
				return r.interrupt()
			}
			stopped = true
			break
		}
	}
	// End of training (all epochs, or --max-steps).
	if stopped && r.mon != nil {
		k, err := r.evalKNN()
		if err != nil {
			return err
		}
		fmt.Fprintf(r.log, "stopped at --max-steps %d (epoch %d, step %d of %d): kNN top-1 %.2f%%%s\n",
			cfg.MaxSteps, r.pos.Epoch+1, r.pos.StepInEpoch, r.spe, k.top1, top5Text(k))
		if err := r.mlog.Epoch(metrics.EpochRecord{Epoch: r.pos.Epoch + 1, GlobalStep: r.pos.GlobalStep,
			Loss: metrics.Float(math.NaN()), Acc: metrics.Float(math.NaN()), KNNTop1: metrics.Float(k.top1), KNNTop5: metrics.Float(k.top5),
			ImagesPerSec: metrics.Float(math.NaN()), Seconds: metrics.Float(math.NaN()),
			Extra: map[string]string{"partial": fmt.Sprint(r.pos.StepInEpoch)}}); err != nil {
			return err
		}
		r.plot()
	} else if stopped {
		fmt.Fprintf(r.log, "stopped at --max-steps %d (epoch %d, step %d of %d)\n", cfg.MaxSteps, r.pos.Epoch+1, r.pos.StepInEpoch, r.spe)
	}
	if err := r.save(); err != nil {
		return err
	}
	r.finish()
	fmt.Fprintf(r.log, "checkpoint: %s\n", r.res.Checkpoint)
	if r.mon != nil {
		fmt.Fprintf(r.log, "kNN top-1: random encoder %s -> trained %.2f%%\n", pct(r.res.KNNRandom), r.res.KNNFinal)
	}
	return nil
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "(not measured)"
	}
	return fmt.Sprintf("%.2f%%", v)
}

func top5Text(k knnResult) string {
	if math.IsNaN(k.top5) {
		return ""
	}
	return fmt.Sprintf(", top-5 %.2f%%", k.top5)
}

// stopNow reports whether the run stops here because of a cancelled
// context (a signal). In a world of several ranks it is a collective: the
// ranks' flags are summed, so that every rank stops at the same step when
// any of them was told to (a signal reaches the ranks at different
// moments, or only some of them). The decision is kept in r.stop.
func (r *run) stopNow(ctx context.Context) (bool, error) {
	flag := []float32{0}
	if ctx.Err() != nil {
		flag[0] = 1
	}
	if r.comm.Size() > 1 {
		if err := r.comm.AllreduceSum(flag); err != nil {
			return false, fmt.Errorf("data-parallel: stop flag: %w", err)
		}
	}
	r.stop = flag[0] > 0
	return r.stop, nil
}

// maxed reports whether --max-steps is reached.
func (r *run) maxed() bool { return r.cfg.MaxSteps > 0 && r.pos.GlobalStep >= r.cfg.MaxSteps }

// interrupt saves the current state after a cancelled context.
func (r *run) interrupt() error {
	if err := r.save(); err != nil {
		return fmt.Errorf("interrupted, but the checkpoint failed: %w", err)
	}
	r.finish()
	r.res.Interrupted = true
	fmt.Fprintf(r.log, "\ninterrupted at epoch %d, step %d of %d (global step %d); checkpoint %s\nresume with: %s --resume %s\n",
		r.pos.Epoch+1, r.pos.StepInEpoch, r.spe, r.pos.GlobalStep, r.res.Checkpoint, r.command(), r.cfg.Out)
	return nil
}

// epoch runs (the rest of) epoch r.pos.Epoch, rendering the views on va
// when it is not nil. It returns false when it stopped early (context
// cancelled or --max-steps).
func (r *run) epoch(ctx context.Context, aug augment.Config, va engine.ViewAugmenter) (bool, error) {
	cfg := r.cfg
	ep := r.pos.Epoch
	world := r.comm.Size()
	l, err := augment.NewLoader(r.train, augment.LoaderConfig{BatchSize: cfg.BatchSize, Seed: cfg.Seed, Epoch: ep,
		Shuffle: true, DropLast: cfg.DropLast, Workers: cfg.Workers, Aug: aug, Shards: world, Shard: r.comm.Rank(),
		DeviceViews: va != nil})
	if err != nil {
		return false, err
	}
	defer l.Close()
	for i := 0; i < r.pos.StepInEpoch; i++ { // resume mid-epoch: the order is a function of (seed, epoch)
		if _, err := l.Next(); err != nil {
			return false, fmt.Errorf("resume: skipping batch %d of epoch %d: %w", i+1, ep+1, err)
		}
	}
	prog := &metrics.Progress{W: r.log, TTY: r.opt.TTY, Every: max(1, r.spe/10)}
	st := epochStats{start: time.Now()}
	for r.pos.StepInEpoch < r.spe {
		stop, err := r.stopNow(ctx)
		if err != nil {
			return false, err
		}
		if stop || r.maxed() {
			if r.opt.TTY {
				fmt.Fprintln(r.log)
			}
			return false, nil
		}
		bt, err := l.Next()
		if err == io.EOF {
			return false, fmt.Errorf("epoch %d: the loader ended after %d of %d batches", ep+1, r.pos.StepInEpoch, r.spe)
		}
		if err != nil {
			return false, fmt.Errorf("epoch %d: data: %w", ep+1, err)
		}
		gstep := r.pos.GlobalStep // 0-based index of this step
		where := func() string {
			return fmt.Sprintf("step %d (epoch %d, step %d of %d)", gstep+1, ep+1, r.pos.StepInEpoch+1, r.spe)
		}
		comm0 := r.m.CommTime()
		var loss, acc float32
		if va != nil {
			loss, acc, err = r.deviceStep(va, bt, aug)
		} else {
			// From the host: with --micro-batch, one chunk on the device at a time.
			loss, acc, err = r.m.StepHost(bt.Views, [4]int{2 * bt.N, bt.C, bt.H, bt.W}, float32(cfg.Temperature))
		}
		commMs := (r.m.CommTime() - comm0).Seconds() * 1e3
		if err != nil {
			return false, fmt.Errorf("%s: %w; nothing saved since: %s", where(), err, r.lastGood())
		}
		if bad(float64(loss)) {
			return false, fmt.Errorf("%s: the loss is %g: %w; nothing saved since: %s%s",
				where(), loss, ErrDiverged, r.lastGood(), r.divergedHint())
		}
		g2, err := layers.GradSquares(r.b, r.m.Params(), r.gnorm, r.gtmp)
		if err != nil {
			return false, fmt.Errorf("%s: %w; %s", where(), err, r.lastGood())
		}
		skipped := false
		var scale float32
		if r.pos.scaler != nil { // mixed precision: overflow skips the step
			scale = r.pos.scaler.Scale
			if skipped, err = r.scaledStep(g2); err != nil {
				return false, fmt.Errorf("%s: %w; nothing saved since: %s%s", where(), err, r.lastGood(), r.divergedHint())
			}
		} else if bad(g2) {
			return false, fmt.Errorf("%s: the gradients hold NaN or Inf (sum of squares %g): %w; nothing saved since: %s%s",
				where(), g2, ErrDiverged, r.lastGood(), r.divergedHint())
		}
		lr := r.sched.LR(int(gstep))
		if !skipped {
			r.o.Step(float32(lr))
		}
		if k := cfg.SyncCheck; k > 0 && (gstep+1)%k == 0 && world > 1 {
			if err := r.m.CheckInSync(); err != nil {
				return false, fmt.Errorf("%s: --sync-check: %w", where(), err)
			}
		}
		r.pos.GlobalStep++
		r.pos.StepInEpoch++
		r.res.Losses = append(r.res.Losses, loss)
		st.steps++
		st.images += bt.N * world // global images
		st.comm += commMs
		st.loss += float64(loss)
		st.acc += float64(acc)
		st.wait += bt.Wait
		el := time.Since(st.start)
		ips := float64(st.images) / el.Seconds()
		wait := st.wait.Seconds() / el.Seconds()
		if err := r.mlog.Step(metrics.StepRecord{Epoch: ep + 1, Step: r.pos.StepInEpoch, GlobalStep: r.pos.GlobalStep,
			Loss: metrics.Float(loss), Acc: metrics.Float(acc), LR: metrics.Float(lr), ImagesPerSec: metrics.Float(ips),
			DataWait: metrics.Float(wait), Time: metrics.Float(time.Since(r.start).Seconds()), CommMs: metrics.Float(commMs),
			LossScale: metrics.Float(scale), Skipped: skipped, SkippedSteps: r.skippedSteps(),
			Last: r.pos.StepInEpoch == r.spe || skipped}); err != nil {
			return false, err
		}
		prog.Update(metrics.Status{Epoch: ep + 1, Epochs: cfg.Epochs, Step: r.pos.StepInEpoch, Steps: r.spe,
			Loss: float64(loss), Acc: float64(acc), LR: lr, ImagesPerSec: ips, DataWait: wait, CommMs: commMs, Elapsed: el})
		if r.opt.OnStep != nil {
			r.opt.OnStep(StepInfo{Epoch: ep, StepInEpoch: r.pos.StepInEpoch, GlobalStep: r.pos.GlobalStep, Loss: float64(loss), Acc: float64(acc), LR: lr})
		}
	}
	l.Close()
	// Epoch end.
	r.pos.Epoch++
	r.pos.StepInEpoch = 0
	last := r.pos.Epoch == cfg.Epochs || r.maxed()
	k := noKNN
	if r.mon != nil && (last || (cfg.KNNEvery > 0 && r.pos.Epoch%cfg.KNNEvery == 0)) {
		if k, err = r.evalKNN(); err != nil {
			return false, err
		}
	}
	secs := time.Since(st.start).Seconds()
	rec := metrics.EpochRecord{Epoch: r.pos.Epoch, GlobalStep: r.pos.GlobalStep, KNNTop1: metrics.Float(k.top1), KNNTop5: metrics.Float(k.top5),
		Loss: metrics.Float(math.NaN()), Acc: metrics.Float(math.NaN()), Seconds: metrics.Float(secs),
		ImagesPerSec: metrics.Float(float64(st.images) / secs)}
	if st.steps > 0 {
		rec.Loss, rec.Acc = metrics.Float(st.loss/float64(st.steps)), metrics.Float(st.acc/float64(st.steps))
	}
	if err := r.mlog.Epoch(rec); err != nil {
		return false, err
	}
	r.plot()
	msg := fmt.Sprintf("epoch %d/%d: loss %.4f  acc %.1f%%", r.pos.Epoch, cfg.Epochs, float64(rec.Loss), 100*float64(rec.Acc))
	if !math.IsNaN(k.top1) {
		msg += fmt.Sprintf("  kNN top-1 %.2f%%%s", k.top1, top5Text(k))
	}
	comm := ""
	if world > 1 && st.steps > 0 {
		comm = fmt.Sprintf(", communication %.1f ms/step", st.comm/float64(st.steps))
	}
	fmt.Fprintf(r.log, "%s  (%s, %.0f img/s, data wait %.0f%%%s)\n", msg, metrics.FormatDuration(time.Since(st.start)),
		float64(st.images)/secs, 100*st.wait.Seconds()/secs, comm)
	if last || (cfg.SaveEvery > 0 && r.pos.Epoch%cfg.SaveEvery == 0) {
		if err := r.save(); err != nil {
			return false, err
		}
	}
	return true, nil
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// plot redraws DIR/plot.png from the metrics log (a failure is only a
// warning: the plot is a convenience).
func (r *run) plot() {
	if !r.lead {
		return
	}
	path := filepath.Join(r.cfg.Out, "metrics.jsonl")
	f, err := os.Open(path)
	if err == nil {
		defer f.Close()
		var steps []metrics.StepRecord
		var epochs []metrics.EpochRecord
		if steps, epochs, err = metrics.ReadLog(f); err == nil {
			steps, epochs = dedupe(steps, epochs)
			err = metrics.WritePlot(filepath.Join(r.cfg.Out, "plot.png"), metrics.LossPoints(steps), metrics.KNNPoints(epochs), metrics.PlotOptions{})
		}
	}
	if err != nil {
		fmt.Fprintf(r.log, "warning: plot: %v\n", err)
	}
}

// dedupe keeps, after a resume from an older checkpoint, the last record
// of every global step and epoch, in order.
func dedupe(steps []metrics.StepRecord, epochs []metrics.EpochRecord) ([]metrics.StepRecord, []metrics.EpochRecord) {
	var s []metrics.StepRecord
	for _, x := range steps {
		for len(s) > 0 && s[len(s)-1].GlobalStep >= x.GlobalStep {
			s = s[:len(s)-1]
		}
		s = append(s, x)
	}
	var e []metrics.EpochRecord
	for _, x := range epochs {
		for len(e) > 0 && e[len(e)-1].Epoch >= x.Epoch {
			e = e[:len(e)-1]
		}
		e = append(e, x)
	}
	return s, e
}
