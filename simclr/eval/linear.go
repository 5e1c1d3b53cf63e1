package eval

import (
	"fmt"
	"math/rand/v2"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/schedule"
)

// LinearConfig configures LinearProbe.
type LinearConfig struct {
	Size    int     // image side (CheckInput)
	Epochs  int     // 0: 90
	Batch   int     // 0: 256
	LR      float64 // peak learning rate (finite, > 0); 0: 0.1 * Batch / 256
	Aug     bool    // random crop + flip, training features recomputed every epoch
	Seed    uint64  // shuffling and augmentation
	Workers int     // loader goroutines (0: all cores)
	// Progress, when set, is called after each epoch.
	Progress func(epoch, epochs int, loss, lr float64)
	// ExtractProgress, when set, is passed to Extract.
	ExtractProgress func(what string, done, total int)
}

// LinearResult is the outcome of LinearProbe (fractions in [0, 1]): the
// test split's and the training split's accuracy.
type LinearResult struct {
	ClassifierResult
	TrainTop1 float64 `json:"train_top1"`
	TrainTop5 float64 `json:"train_top5,omitempty"`
	TrainN    int     `json:"train_images"`
	FeatDim   int     `json:"feature_dim"`
	Aug       bool    `json:"aug"`
	// CacheBytes is the host memory of the cached features.
	CacheBytes int64 `json:"feature_cache_bytes"`
}

// The classifiers' default schedules (a zero Epochs or LR in LinearConfig
// and FineTuneConfig): epochs, and the peak learning rate per 256 images
// of the batch.
const (
	LinearEpochs   = 90
	LinearLRBase   = 0.1
	FineTuneEpochs = 30
	FineTuneLRBase = 0.05
)

func (c *LinearConfig) defaults() {
	defaultSchedule(&c.Epochs, &c.Batch, &c.LR, LinearEpochs, LinearLRBase)
}

// defaultSchedule fills in, where they are 0, epochs, a batch of 256 and a
// learning rate of base per 256 images of the batch (the linear scaling
// rule).
func defaultSchedule(epochs, batch *int, lr *float64, defEpochs int, base float64) {
	if *epochs == 0 {
		*epochs = defEpochs
	}
	if *batch == 0 {
		*batch = 256
	}
	if *lr == 0 {
		*lr = base * float64(*batch) / 256
	}
}

// checkSplits checks labels and matching class counts.
func checkSplits(train, test data.Dataset) (int, error) {
	if err := RequireLabels(train); err != nil {
		return 0, err
	}
	if err := RequireLabels(test); err != nil {
		return 0, err
	}
	if a, b := train.NumClasses(), test.NumClasses(); a != b {
		return 0, fmt.Errorf("eval: %s has %d classes but %s has %d", train.Name(), a, test.Name(), b)
	}
	return train.NumClasses(), nil
}

// LinearProbe trains a linear classifier on the frozen encoder's features of
// train and reports accuracy on train and test (see the package doc).
func LinearProbe(m *layers.Model, train, test data.Dataset, cfg LinearConfig) (LinearResult, error) {
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return LinearResult{}, err
	}
	classes, err := checkSplits(train, test)
	if err != nil {
		return LinearResult{}, err
	}
	b := m.Backend()
	d := m.Encoder.FeatureDim()
	res := LinearResult{ClassifierResult: newClassifierResult(test.Len(), classes, cfg.Epochs, cfg.Batch, cfg.LR),
		TrainN: train.Len(), FeatDim: d, Aug: cfg.Aug}
	extract := func(what string, ds data.Dataset) ([]float32, []int, error) {
		o := ExtractOptions{Size: cfg.Size, Batch: cfg.Batch, Workers: cfg.Workers}
		if cfg.ExtractProgress != nil {
			o.Progress = func(done, total int) { cfg.ExtractProgress(what, done, total) }
		}
		return Extract(m, ds, o)
	}
	testF, testL, err := extract("test", test)
	if err != nil {
		return res, err
	}
	var trainF []float32
	var trainL []int
	if !cfg.Aug {
		if trainF, trainL, err = extract("train", train); err != nil {
			return res, err
		}
	}
	res.CacheBytes = int64(len(testF)+len(trainF)) * 4

	n := train.Len()
	perEpoch := (n + cfg.Batch - 1) / cfg.Batch
	sched, err := schedule.NewCosine(cfg.LR, 0, cfg.Epochs*perEpoch)
	if err != nil {
		return res, err
	}
	p, err := newProbe(b, d, classes)
	if err != nil {
		return res, err
	}
	defer p.release()
	bufs := newBatchTensors(b)
	defer bufs.release()
	step := 0
	for e := range cfg.Epochs {
		w := float32(1) / float32(perEpoch)
		if !cfg.Aug {
			step = p.hostEpoch(bufs, trainF, trainL, n, d, cfg.Batch, cfg.Seed, e, sched, step, w)
		} else {
			err := bufs.loaderEpoch(train, augment.LoaderConfig{BatchSize: cfg.Batch, Seed: cfg.Seed, Epoch: e,
				Shuffle: true, Views: 1, Workers: cfg.Workers, Aug: cropFlip(cfg.Size)},
				func(x *engine.Tensor, labels []int) error {
					h := bufs.get("h", x.Shape()[0], d)
					if err := m.Features(h, x); err != nil {
						return err
					}
					p.step(h, labels, float32(sched.LR(step)), w)
					step++
					return nil
				})
			if err != nil {
				return res, fmt.Errorf("eval: linear: %w", err)
			}
		}
		loss, err := p.ce.endEpoch(e, cfg.Epochs, sched.LR(step), cfg.Progress)
		if err != nil {
			return res, fmt.Errorf("eval: linear: %w", err)
		}
		res.FinalLoss = loss
	}
	if cfg.Aug {
		if trainF, trainL, err = extract("train", train); err != nil {
			return res, err
		}
	}
	tr, err := p.scoreFeatures(trainF, trainL, n, d, classes, cfg.Batch)
	if err != nil {
		return res, err
	}
	te, err := p.scoreFeatures(testF, testL, test.Len(), d, classes, cfg.Batch)
	if err != nil {
		return res, err
	}
	res.score(te)
	res.TrainTop1 = tr.Top1()
	if res.HasTop5 {
		res.TrainTop5 = tr.Top5()
	}
	return res, nil
}

// hostEpoch runs one epoch over host features (n, d) in a seeded shuffled
// order and returns the step count after it.
func (p *probe) hostEpoch(bufs *batchTensors, feats []float32, labels []int, n, d, batch int, seed uint64, epoch int, sched schedule.Cosine, step int, w float32) int {
	perm := rand.New(rand.NewPCG(seed, uint64(epoch))).Perm(n)
	host := make([]float32, min(batch, n)*d)
	lab := make([]int, min(batch, n))
	for i := 0; i < n; i += batch {
		k := min(batch, n-i)
		for j := range k {
			src := perm[i+j]
			copy(host[j*d:(j+1)*d], feats[src*d:(src+1)*d])
			lab[j] = labels[src]
		}
		h := bufs.get("h", k, d)
		p.b.Upload(h, host[:k*d])
		p.step(h, lab[:k], float32(sched.LR(step)), w)
		step++
	}
	return step
}

// TrainLinear is the linear probe on host features (n, d) with labels,
// without an encoder (tests; features from elsewhere). It returns the
// accuracy on the training features and on the test features, and the last
// epoch's mean loss.
func TrainLinear(b engine.Backend, feats []float32, labels []int, n, d, classes int, testF []float32, testL []int, cfg LinearConfig) (train, test Accuracy, loss float64, err error) {
	cfg.defaults()
	if err = cfg.validate(); err != nil {
		return
	}
	perEpoch := (n + cfg.Batch - 1) / cfg.Batch
	sched, err := schedule.NewCosine(cfg.LR, 0, cfg.Epochs*perEpoch)
	if err != nil {
		return
	}
	p, err := newProbe(b, d, classes)
	if err != nil {
		return
	}
	defer p.release()
	bufs := newBatchTensors(b)
	defer bufs.release()
	step := 0
	for e := range cfg.Epochs {
		step = p.hostEpoch(bufs, feats, labels, n, d, cfg.Batch, cfg.Seed, e, sched, step, 1/float32(perEpoch))
		if loss, err = p.ce.take(); err != nil {
			return
		}
	}
	if train, err = p.scoreFeatures(feats, labels, n, d, classes, cfg.Batch); err != nil {
		return
	}
	test, err = p.scoreFeatures(testF, testL, len(testL), d, classes, cfg.Batch)
	return
}
