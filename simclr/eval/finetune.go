package eval

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/checkpoint"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/schedule"
)

// Stages of the encoder for FineTuneConfig.FromStage: 0 the stem (conv1,
// bn1), 1-4 layer1..layer4 (layers.ResNet.ForwardStage); 5 means only the
// classifier is trained.
const Stages = layers.NumStages

// FineTuneConfig configures FineTune.
type FineTuneConfig struct {
	LabelFraction float64 // fraction of the training labels, class-balanced, in (0, 1] (0: 0.1)
	FromStage     int     // first trained stage, 0..5 (see Stages)
	Size          int     // image side (CheckInput)
	Epochs        int     // 0: 30
	Batch         int     // 0: 256
	LR            float64 // peak learning rate (finite, > 0); 0: 0.05 * Batch / 256
	Seed          uint64  // label subset, shuffling, augmentation, classifier init
	Workers       int     // loader goroutines (0: all cores)
	// InitLossScale is where the dynamic loss scale of a mixed-precision
	// model starts: 0 for layers.InitLossScale (PyTorch GradScaler's
	// 2^16), else a power of two from layers.MinLossScale to
	// layers.MaxLossScale. Unused in float32.
	InitLossScale float32
	// Progress, when set, is called after each epoch.
	Progress func(epoch, epochs int, loss, lr float64)
}

// FineTuneResult is the outcome of FineTune: the test split's accuracy
// and what was trained on (LabeledN images, from stage FromStage), at
// which precision (the model's: "fp32" or "mixed"); in mixed precision the
// optimizer steps skipped for non-finite gradients (SkippedSteps, 0 in
// float32) and the dynamic loss scale at the end (LossScale, 0 in
// float32).
type FineTuneResult struct {
	ClassifierResult
	LabelFraction float64 `json:"label_fraction"`
	LabeledN      int     `json:"labeled_images"`
	FromStage     int     `json:"from_stage"`
	Precision     string  `json:"precision"`
	SkippedSteps  int64   `json:"skipped_steps"`
	LossScale     float32 `json:"loss_scale,omitempty"`
}

func (c *FineTuneConfig) defaults() {
	if c.LabelFraction == 0 {
		c.LabelFraction = 0.1
	}
	defaultSchedule(&c.Epochs, &c.Batch, &c.LR, FineTuneEpochs, FineTuneLRBase)
}

// stageParams lists the parameters of stages from..Stages-1.
func stageParams(r *layers.ResNet, from int) []*layers.Param {
	var ps []*layers.Param
	for s := from; s < Stages; s++ {
		for _, m := range r.StageModules(s) {
			ps = append(ps, layers.Params(m)...)
		}
	}
	return ps
}

// tuner runs the fine-tuning forward and backward passes.
type tuner struct {
	m             *layers.Model
	fc            *layers.Linear
	from          int
	pool          *layers.Pool
	frozen, train *layers.Tape
	params        []*layers.Param
	ce            *ceLoss
	opt           *optim.Optimizer
	// scaler is the dynamic loss scale in mixed precision (nil in
	// float32); gnorm and gtmp (1) hold the gradients' sum of squares.
	scaler      *layers.LossScaler
	gnorm, gtmp *engine.Tensor
}

// setPrecision gives both tapes m's precision (layers.Tape.SetPrecisionOf)
// and, in mixed precision, makes the loss scaler starting at init (0:
// layers.InitLossScale) and the training tape's loss scale.
func (u *tuner) setPrecision(m *layers.Model, init float32) {
	u.frozen.SetPrecisionOf(m)
	u.train.SetPrecisionOf(m)
	if m.Precision() != layers.PrecisionMixed {
		return
	}
	b := m.Backend()
	u.scaler = layers.NewLossScaler()
	if init != 0 {
		u.scaler.Scale = init
	}
	u.gnorm, u.gtmp = b.New(1), b.New(1)
	u.train.SetLossScale(u.scaler.Scale)
}

// logitsVar runs the encoder (stages before from on the frozen eval-mode
// tape, the rest on the training tape: featuresVar) and the classifier.
func (u *tuner) logitsVar(x *engine.Tensor) *layers.Var {
	// float32 logits, as the float32 cross-entropy reads them; in mixed
	// precision its backward scales the cross-entropy's gradient by the
	// loss scale.
	return u.train.LossLinear(u.featuresVar(x), u.fc.Weight, u.fc.Bias)
}

// featuresVar is the encoder's pooled features of x on the tuner's tapes.
func (u *tuner) featuresVar(x *engine.Tensor) *layers.Var {
	t := u.frozen
	if u.from == 0 {
		t = u.train
	}
	v := t.ImageInput(x) // rounded to float16 in mixed precision
	for s := 0; s <= Stages; s++ {
		if s == u.from && s > 0 {
			v = u.train.Input(v.Value, v.Shape...)
			t = u.train
		}
		if s < Stages {
			v = u.m.Encoder.ForwardStage(t, v, s)
		} else {
			v = t.GlobalAvgPool(v)
		}
	}
	return v
}

// step is one SGD step on the batch x with labels; weight scales the
// batch's loss in the epoch mean. In mixed precision it is simclr/train's
// step: gradients holding Inf or NaN (their sum of squares non-finite)
// skip the optimizer step and halve the loss scale, finite ones are
// unscaled for the optimizer (layers.LossScaler); an error when they are
// non-finite at the smallest scale.
func (u *tuner) step(x *engine.Tensor, labels []int, lr, weight float32) error {
	logits := u.logitsVar(x)
	u.ce.seed(u.train, logits, labels, weight)
	u.train.Backward(u.params)
	u.frozen.Reset()
	if u.scaler != nil {
		g2, err := layers.GradSquares(u.m.Backend(), u.params, u.gnorm, u.gtmp)
		if err != nil {
			return err
		}
		step, err := u.scaler.Step(g2, u.m.Backend(), u.params)
		if err != nil {
			return err
		}
		u.train.SetLossScale(u.scaler.Scale)
		if !step {
			return nil
		}
	}
	u.opt.Step(lr)
	return nil
}

func (u *tuner) release() {
	if u.opt != nil {
		u.opt.Release()
		u.opt = nil
	}
	u.train.Reset()
	u.frozen.Reset()
	u.pool.Trim()
	u.ce.release()
	for _, t := range []*engine.Tensor{u.gnorm, u.gtmp} {
		if t != nil {
			t.Release()
		}
	}
	u.gnorm, u.gtmp = nil, nil
}

// FineTune trains m's encoder from cfg.FromStage on and a new classifier on
// a class-balanced cfg.LabelFraction of train, then measures test accuracy
// (see the package doc). It returns the classifier as checkpoint tensors
// fc.weight (classes, D) and fc.bias (classes); m holds the fine-tuned
// encoder.
func FineTune(m *layers.Model, train, test data.Dataset, cfg FineTuneConfig) (FineTuneResult, []checkpoint.Tensor, error) {
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return FineTuneResult{}, nil, err
	}
	classes, err := checkSplits(train, test)
	if err != nil {
		return FineTuneResult{}, nil, err
	}
	idx, err := BalancedIndices(train, cfg.LabelFraction, cfg.Seed)
	if err != nil {
		return FineTuneResult{}, nil, err
	}
	labeled := data.Select(train, idx, fmt.Sprintf("%s[%g of the labels]", train.Name(), cfg.LabelFraction))
	b := m.Backend()
	d := m.Encoder.FeatureDim()
	res := FineTuneResult{ClassifierResult: newClassifierResult(test.Len(), classes, cfg.Epochs, cfg.Batch, cfg.LR),
		LabelFraction: cfg.LabelFraction, LabeledN: len(idx), FromStage: cfg.FromStage, Precision: m.Precision().String()}

	// One batch of everything when the subset is smaller than a batch, else
	// full batches only (no tiny last batch for BatchNorm).
	batch, dropLast := cfg.Batch, true
	if len(idx) < batch {
		batch, dropLast = len(idx), false
	}
	perEpoch := len(idx) / batch
	sched, err := schedule.NewCosine(cfg.LR, 0, cfg.Epochs*perEpoch)
	if err != nil {
		return res, nil, err
	}
	fc := newFC(b, d, classes, false, cfg.Seed)
	defer fc.Release()
	pool := layers.NewPool(b)
	u := &tuner{m: m, fc: fc, from: cfg.FromStage, pool: pool, ce: newCELoss(b),
		frozen: layers.NewTape(b, pool, false, false), train: layers.NewTape(b, pool, true, true)}
	u.params = append(stageParams(m.Encoder, cfg.FromStage), fc.Weight, fc.Bias)
	defer u.release()
	u.setPrecision(m, cfg.InitLossScale)
	if u.opt, err = optim.New(b, u.params, optim.Config{Kind: optim.SGD, Momentum: Momentum, Nesterov: true}); err != nil {
		return res, nil, err
	}
	bufs := newBatchTensors(b)
	defer bufs.release()
	step := 0
	for e := range cfg.Epochs {
		err := bufs.loaderEpoch(labeled, augment.LoaderConfig{BatchSize: batch, Seed: cfg.Seed, Epoch: e,
			Shuffle: true, DropLast: dropLast, Views: 1, Workers: cfg.Workers, Aug: cropFlip(cfg.Size)},
			func(x *engine.Tensor, labels []int) error {
				if err := u.step(x, labels, float32(sched.LR(step)), 1/float32(perEpoch)); err != nil {
					return fmt.Errorf("step %d: %w", step+1, err)
				}
				step++ // a skipped step still takes its place in the schedule
				return nil
			})
		if err != nil {
			return res, nil, fmt.Errorf("eval: finetune: %w", err)
		}
		loss, err := u.ce.endEpoch(e, cfg.Epochs, sched.LR(step), cfg.Progress)
		if err != nil {
			return res, nil, fmt.Errorf("eval: finetune: %w", err)
		}
		res.FinalLoss = loss
	}
	if u.scaler != nil {
		res.SkippedSteps, res.LossScale = u.scaler.Skipped, u.scaler.Scale
	}
	u.release()
	feats, labels, err := Extract(m, test, ExtractOptions{Size: cfg.Size, Batch: cfg.Batch, Workers: cfg.Workers})
	if err != nil {
		return res, nil, err
	}
	acc, err := scoreLinear(b, fc, feats, labels, test.Len(), d, classes, cfg.Batch)
	if err != nil {
		return res, nil, err
	}
	res.score(acc)
	var out []checkpoint.Tensor
	for _, p := range []*layers.Param{fc.Weight, fc.Bias} {
		v := make([]float32, p.Numel())
		if err := b.Download(p.Value, v); err != nil {
			return res, nil, fmt.Errorf("eval: finetune: %w", err)
		}
		out = append(out, checkpoint.Tensor{Name: p.Name, Kind: checkpoint.KindParam, Shape: p.Shape(), Data: v})
	}
	return res, out, nil
}
