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
	// Progress, when set, is called after each epoch.
	Progress func(epoch, epochs int, loss, lr float64)
}

// FineTuneResult is the outcome of FineTune: the test split's accuracy
// and what was trained on (LabeledN images, from stage FromStage).
type FineTuneResult struct {
	ClassifierResult
	LabelFraction float64 `json:"label_fraction"`
	LabeledN      int     `json:"labeled_images"`
	FromStage     int     `json:"from_stage"`
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
}

// logitsVar runs the encoder (stages before from on the frozen eval-mode
// tape, the rest on the training tape) and the classifier.
func (u *tuner) logitsVar(x *engine.Tensor) *layers.Var {
	t := u.frozen
	v := t.Input(x)
	for s := 0; s <= Stages; s++ {
		if s == u.from {
			v = u.train.Input(v.Value, v.Shape...)
			t = u.train
		}
		if s < Stages {
			v = u.m.Encoder.ForwardStage(t, v, s)
		} else {
			v = t.GlobalAvgPool(v)
		}
	}
	return u.train.Linear(v, u.fc.Weight, u.fc.Bias)
}

func (u *tuner) step(x *engine.Tensor, labels []int, lr, weight float32) {
	logits := u.logitsVar(x)
	u.ce.seed(u.train, logits, labels, weight)
	u.train.Backward(u.params)
	u.frozen.Reset()
	u.opt.Step(lr)
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
	if p := m.Precision(); p != layers.PrecisionFP32 {
		return FineTuneResult{}, nil, fmt.Errorf("eval: fine-tuning in %s precision is not supported yet (its tapes have no float16 rounding points and no loss scaling at the cross-entropy): fine-tune in fp32", p)
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
		LabelFraction: cfg.LabelFraction, LabeledN: len(idx), FromStage: cfg.FromStage}

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
				u.step(x, labels, float32(sched.LR(step)), 1/float32(perEpoch))
				step++
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
