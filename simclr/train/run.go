package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/knn"
	"simclr-vk/simclr/metrics"
	"simclr-vk/simclr/modelio"
	"simclr-vk/simclr/schedule"
)

// Options are the run's surroundings (not part of the configuration).
type Options struct {
	Log     io.Writer              // messages and progress (nil: os.Stdout)
	TTY     bool                   // redraw the progress bar in place
	Resume  *checkpoint.Checkpoint // the checkpoint the command loaded for --resume; nil loads cfg.Resume
	Command string                 // how the user runs training, for the resume hint (default "simclr-vk train")
	// OnStep, when set, is called after every optimizer step (tests).
	OnStep func(StepInfo)
	// MemoryLimit is the memory in bytes the model and a batch may need
	// (Config.CheckMemory; 0: the physical memory), e.g. a GPU's heap.
	MemoryLimit uint64
	// Comm is the world of a data-parallel run (nil: dist.Single, one
	// process). Every rank calls Run with the same configuration; rank 0
	// alone logs (Log is ignored on the others) and writes --out.
	Comm dist.Comm
	// GPU says the backend's device is a GPU (not a CPU device such as
	// lavapipe): --augment-on auto renders the views there.
	GPU bool
}

// StepInfo describes one finished step.
type StepInfo struct {
	Epoch       int   // 0-based epoch of the step
	StepInEpoch int   // steps done in the epoch, including this one
	GlobalStep  int64 // optimizer steps done, including this one
	Loss, Acc   float64
	LR          float64
}

// Result summarises a run.
type Result struct {
	Out         string
	Epoch       int   // epochs completed
	StepInEpoch int   // steps done in the unfinished epoch
	GlobalStep  int64 // optimizer steps done
	Losses      []float32
	KNNRandom   float64 // kNN top-1 (percent) of the random encoder, NaN when not evaluated
	KNNFinal    float64 // kNN top-1 (percent) at the end, NaN when not evaluated
	Checkpoint  string  // the newest checkpoint written ("" when none)
	Interrupted bool    // stopped by the context; Checkpoint holds the state
	Elapsed     time.Duration
}

// ErrDiverged is wrapped by the error of a run stopped by a NaN or Inf.
var ErrDiverged = errors.New("training diverged")

// run is the state of one Run call.
type run struct {
	cfg   Config
	opt   Options
	comm  dist.Comm
	lead  bool // rank 0: logs and writes --out
	stop  bool // stopNow's last decision
	log   io.Writer
	b     engine.Backend
	train data.Dataset
	mcfg  layers.Config
	arch  json.RawMessage
	m     *layers.Model
	o     *optim.Optimizer
	sched schedule.Cosine
	spe   int // steps per epoch
	total int64
	pos   position
	mon   *monitor
	ckdir checkpoint.Dir
	mlog  *metrics.Log
	res   *Result
	saved int64 // global step of the newest checkpoint written (-1: none)
	gnorm *engine.Tensor
	gtmp  *engine.Tensor
	start time.Time
}

// Run trains as cfg says on b. Cancelling ctx stops after the current step
// with a checkpoint (Result.Interrupted).
func Run(ctx context.Context, b engine.Backend, cfg Config, opt Options) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := outsideData(cfg.Out, cfg.Data); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, opt: opt, b: b, saved: -1, start: time.Now(), comm: opt.Comm}
	if r.comm == nil {
		r.comm = dist.Single{}
	}
	r.lead = r.comm.Rank() == 0
	r.log = opt.Log
	if r.log == nil {
		r.log = os.Stdout
	}
	if !r.lead {
		r.log = io.Discard
	}
	r.res = &Result{Out: cfg.Out, KNNRandom: math.NaN(), KNNFinal: math.NaN()}
	r.pos = position{KNNRandom: math.NaN(), KNNLast: math.NaN()}
	defer func() { r.res.Elapsed = time.Since(r.start) }()

	ck := opt.Resume
	if ck == nil && cfg.Resume != "" {
		var err error
		if ck, err = checkpoint.Load(cfg.Resume); err != nil {
			return nil, fmt.Errorf("--resume: %w", err)
		}
	}
	if ck != nil {
		for _, w := range ck.Warnings {
			fmt.Fprintf(r.log, "warning: %s\n", w)
		}
	}

	test, err := r.openData()
	if err != nil {
		return nil, err
	}
	defer r.train.Close()
	if test != nil {
		defer test.Close()
	}
	// Record what the data resolved: the view size and, for --stem auto,
	// the stem (config.json then says what was built).
	r.cfg.ImageSize = r.size()
	if r.cfg.Stem == "auto" {
		c, _, _ := r.train.Shape()
		r.cfg.Stem = string(r.cfg.modelConfig(c, r.cfg.ImageSize).Encoder.Stem)
	}
	if err := r.checkWorld(ck); err != nil {
		return nil, err
	}
	ch, _, _ := r.train.Shape()
	local := r.cfg // this rank's part of the batch is what its device holds
	local.BatchSize /= r.comm.Size()
	if err := local.CheckMemory(ch, r.cfg.ImageSize, opt.MemoryLimit); err != nil {
		return nil, err
	}
	// The loader holds this rank's two views of a whole batch on the host
	// whatever --micro-batch is (CheckMemory counts a chunk's).
	side := r.cfg.ImageSize
	if err := bound.Memory(4*2*float64(local.BatchSize)*float64(ch*side*side), 0,
		fmt.Sprintf("the %d augmented views of %dx%d a batch holds on the host", 2*local.BatchSize, side, side), "batch-size", "image-size"); err != nil {
		return nil, err
	}
	if r.lead { // the other ranks write nothing into --out
		lock, err := r.prepareOut(ck)
		if err != nil {
			return nil, err
		}
		defer lock.Release()
	}
	if err := r.build(ck); err != nil {
		return nil, err
	}
	defer r.m.Release()
	defer r.o.Release()
	r.gnorm, r.gtmp = b.New(1), b.New(1)
	defer r.gnorm.Release()
	defer r.gtmp.Release()
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("allocate: %w", err)
	}
	if r.lead {
		r.setupKNN(test)
	}
	if err := r.openMetrics(ck); err != nil {
		return nil, err
	}
	defer r.mlog.Close()

	if err := r.loop(ctx); err != nil {
		return r.res, err
	}
	return r.res, nil
}

// build creates model, optimizer and schedule, restoring a checkpoint.
func (r *run) build(ck *checkpoint.Checkpoint) error {
	cfg := r.cfg
	c, _, _ := r.train.Shape()
	r.mcfg = cfg.modelConfig(c, r.size())
	r.arch = modelio.ArchJSONImage(r.mcfg, r.size())
	if ck != nil { // architecture first: a clear error before allocating
		got, same, err := sameArch(ck.Meta.Arch, r.mcfg)
		if err != nil {
			return fmt.Errorf("--resume %s: architecture: %w", ck.Path, err)
		}
		if !same {
			return fmt.Errorf("--resume %s: the checkpoint is a %s, this run builds a %s (check --arch, --width, --stem, --proj-dims and the data's channels)",
				ck.Path, modelio.Describe(got), modelio.Describe(r.mcfg))
		}
	}
	m, err := layers.NewModel(r.b, r.mcfg)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	o, err := optim.New(r.b, m.Params(), cfg.optimConfig())
	if err != nil {
		m.Release()
		return fmt.Errorf("optimizer: %w", err)
	}
	r.m, r.o = m, o
	if err := m.SetParallel(layers.Parallel{Comm: r.comm, GlobalBN: cfg.GlobalBN, BNGroups: cfg.BNGroups}); err != nil {
		m.Release()
		o.Release()
		return fmt.Errorf("data-parallel: %w", err)
	}
	if err := SetMicroBatch(m, r.b, cfg, c, r.size(), r.opt.MemoryLimit, r.viewBytes(), func(f string, a ...any) { fmt.Fprintf(r.log, f, a...) }); err != nil {
		m.Release()
		o.Release()
		return err
	}
	n := r.train.Len()
	r.spe = n / cfg.BatchSize
	if !cfg.DropLast && n%cfg.BatchSize != 0 {
		r.spe++
	}
	if r.spe == 0 {
		m.Release()
		o.Release()
		return fmt.Errorf("--batch-size %d is larger than the %d training images (the short batch is dropped; use a smaller batch or --drop-last=false)", cfg.BatchSize, n)
	}
	r.total = int64(cfg.Epochs) * int64(r.spe)
	peak, err := schedule.ScaledLR(cfg.LR, cfg.LRScaling, cfg.BatchSize)
	if err == nil {
		r.sched, err = schedule.NewCosine(peak, schedule.WarmupSteps(cfg.WarmupEpochs, r.spe), int(r.total))
	}
	if err != nil {
		m.Release()
		o.Release()
		return fmt.Errorf("schedule: %w", err)
	}
	if ck != nil {
		if r.pos, err = restore(ck, cfg, m, o); err != nil {
			m.Release()
			o.Release()
			return err
		}
		if r.comm.Size() > 1 { // every rank read the file itself
			if err := m.CheckInSync(); err != nil {
				m.Release()
				o.Release()
				return fmt.Errorf("--resume %s: %w (does every rank read the same file?)", ck.Path, err)
			}
		}
		r.saved = r.pos.GlobalStep
		r.res.Checkpoint = ck.Path
		r.res.KNNRandom, r.res.KNNFinal = r.pos.KNNRandom, r.pos.KNNLast
		fmt.Fprintf(r.log, "resumed from %s: %d epochs done, then %d steps of epoch %d (global step %d)\n",
			ck.Path, r.pos.Epoch, r.pos.StepInEpoch, r.pos.Epoch+1, r.pos.GlobalStep)
	}
	if err := r.setupPrecision(ck); err != nil {
		m.Release()
		o.Release()
		return err
	}
	fmt.Fprintf(r.log, "model: %s, %d parameters, on %s\n", modelio.Describe(r.mcfg), layers.CountParams(m), r.b.Describe())
	fmt.Fprintf(r.log, "training: %d epochs x %d steps of %d images, %s, peak lr %.4g (%s scaling of %g), warm-up %g epochs, tau %g\n",
		cfg.Epochs, r.spe, cfg.BatchSize, cfg.Optimizer, peak, cfg.LRScaling, cfg.LR, cfg.WarmupEpochs, cfg.Temperature)
	return nil
}

// setupKNN prepares the monitor, or explains why there is none.
func (r *run) setupKNN(test data.Dataset) {
	cfg := r.cfg
	switch {
	case r.train.NumClasses() == 0:
		fmt.Fprintln(r.log, "kNN monitor: skipped, the training data has no labels")
		return
	case test == nil || test.Len() == 0:
		fmt.Fprintln(r.log, "kNN monitor: skipped, the dataset has no test split")
		return
	case test.NumClasses() == 0:
		fmt.Fprintln(r.log, "kNN monitor: skipped, the test split has no labels")
		return
	}
	bank := r.train
	if cfg.KNNBank > 0 {
		bank = data.Subset(r.train, cfg.KNNBank, cfg.Seed+1)
	}
	query := test
	if cfg.KNNSubset > 0 {
		query = data.Subset(test, cfg.KNNSubset, cfg.Seed+2)
	}
	r.mon = &monitor{bank: bank, query: query, classes: max(r.train.NumClasses(), test.NumClasses()), size: r.size(),
		batch: monitorBatch(cfg.BatchSize, r.opt.GPU), workers: cfg.Workers, opt: knn.Options{K: cfg.KNNK, T: cfg.KNNT}}
	fmt.Fprintf(r.log, "kNN monitor: k %d, t %g, bank %d training images, %d test queries\n", cfg.KNNK, cfg.KNNT, bank.Len(), query.Len())
}

// evalKNN runs the monitor and records it in the run state.
func (r *run) evalKNN() (knnResult, error) {
	if r.mon == nil {
		return noKNN, nil
	}
	k, err := r.mon.eval(r.m)
	if err != nil {
		return noKNN, err
	}
	r.pos.KNNLast = k.top1
	r.res.KNNFinal = k.top1
	return k, nil
}

// save writes a checkpoint of the current state unless one exists for this
// step.
func (r *run) save() error {
	if !r.lead {
		return nil
	}
	if r.saved == r.pos.GlobalStep && r.res.Checkpoint != "" {
		return nil
	}
	if err := r.b.Err(); err != nil {
		return fmt.Errorf("not saving a checkpoint after a device error: %w", err)
	}
	ck, err := snapshot(r.cfg, r.arch, r.m, r.o, r.pos)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	path, err := r.ckdir.Save(ck)
	if err != nil {
		return err
	}
	r.saved = r.pos.GlobalStep
	r.res.Checkpoint = path
	return nil
}

// lastGood names the newest checkpoint for error messages: the one this
// run wrote last or resumed from, finite in both cases (snapshot refuses
// to write NaN or Inf, restore to resume from them).
func (r *run) lastGood() string {
	if r.res.Checkpoint == "" {
		return "no checkpoint was written yet"
	}
	return "the last good checkpoint is " + r.res.Checkpoint
}

// divergedHint is what to do after a divergence: resume from the last good
// checkpoint, or start again when none was written.
func (r *run) divergedHint() string {
	if r.res.Checkpoint == "" {
		return " (start again with a lower --lr)"
	}
	return " (resume from it with a lower --lr)"
}

func (r *run) command() string {
	if r.opt.Command != "" {
		return r.opt.Command
	}
	return "simclr-vk train"
}

// finish fills the result from the position.
func (r *run) finish() {
	r.res.Epoch, r.res.StepInEpoch, r.res.GlobalStep = r.pos.Epoch, r.pos.StepInEpoch, r.pos.GlobalStep
}
