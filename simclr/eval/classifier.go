package eval

import (
	"fmt"
	"math/rand/v2"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
	"simclr-vk/simclr/augment"
)

// Momentum is the Nesterov momentum of the linear probe and fine-tuning.
const Momentum = 0.9

// newFC returns torch.nn.Linear(d, classes) named "fc": zero weights when
// zero, else torch's default initialisation from seed.
func newFC(b engine.Backend, d, classes int, zero bool, seed uint64) *layers.Linear {
	fc := layers.NewLinear(b, "fc", d, classes, true)
	if !zero {
		layers.InitLinearDefault(b, fc, rand.New(rand.NewPCG(seed, 0xfc)))
	}
	return fc
}

// ceLoss holds what the cross-entropy of a batch needs on the device.
type ceLoss struct {
	b    engine.Backend
	bufs *batchTensors
	acc  *engine.Tensor // (1) running sum of weighted batch losses
	host []float32
}

func newCELoss(b engine.Backend) *ceLoss {
	return &ceLoss{b: b, bufs: newBatchTensors(b), acc: b.New(1)}
}

// seed computes the mean cross-entropy of logits (n, classes) against
// labels, seeds t with its gradient and adds weight * loss to the epoch sum.
func (c *ceLoss) seed(t *layers.Tape, logits *layers.Var, labels []int, weight float32) {
	n, classes := logits.Shape[0], logits.Shape[1]
	if cap(c.host) < n {
		c.host = make([]float32, n)
	}
	h := c.host[:n]
	for i, l := range labels[:n] {
		h[i] = float32(l)
	}
	lab := c.bufs.get("labels", n)
	c.b.Upload(lab, h)
	loss := c.bufs.get("loss", 1)
	dlogits := c.bufs.get("dlogits", n, classes)
	c.b.SoftmaxCrossEntropy(dlogits, loss, logits.Value, lab, n, classes)
	c.b.Axpy(c.acc, weight, loss)
	t.Seed(logits, dlogits)
}

// endEpoch takes the mean training loss of epoch (0-based) of epochs from
// the accumulator and reports it, with the learning rate lr, to progress
// when set.
func (c *ceLoss) endEpoch(epoch, epochs int, lr float64, progress func(epoch, epochs int, loss, lr float64)) (float64, error) {
	loss, err := c.take()
	if err != nil {
		return 0, fmt.Errorf("epoch %d: %w", epoch+1, err)
	}
	if progress != nil {
		progress(epoch+1, epochs, loss, lr)
	}
	return loss, nil
}

// take downloads the accumulated loss and resets it.
func (c *ceLoss) take() (float64, error) {
	var v [1]float32
	if err := c.b.Download(c.acc, v[:]); err != nil {
		return 0, err
	}
	c.b.Fill(c.acc, 0)
	return float64(v[0]), nil
}

func (c *ceLoss) release() {
	c.bufs.release()
	c.acc.Release()
}

// probe trains a linear classifier on features given as device tensors.
type probe struct {
	b      engine.Backend
	fc     *layers.Linear
	params []*layers.Param
	opt    *optim.Optimizer
	pool   *layers.Pool
	train  *layers.Tape
	ce     *ceLoss
}

func newProbe(b engine.Backend, d, classes int) (*probe, error) {
	p := &probe{b: b, fc: newFC(b, d, classes, true, 0), pool: layers.NewPool(b), ce: newCELoss(b)}
	p.params = []*layers.Param{p.fc.Weight, p.fc.Bias}
	p.train = layers.NewTape(b, p.pool, true, true)
	opt, err := optim.New(b, p.params, optim.Config{Kind: optim.SGD, Momentum: Momentum, Nesterov: true})
	if err != nil {
		p.release()
		return nil, err
	}
	p.opt = opt
	return p, nil
}

// step is one SGD step on h (n, d) with labels; weight scales the batch's
// loss in the epoch mean.
func (p *probe) step(h *engine.Tensor, labels []int, lr, weight float32) {
	t := p.train
	logits := t.Linear(t.Input(h), p.fc.Weight, p.fc.Bias)
	p.ce.seed(t, logits, labels, weight)
	t.Backward(p.params)
	p.opt.Step(lr)
}

func (p *probe) release() {
	if p.opt != nil {
		p.opt.Release()
	}
	p.train.Reset()
	p.pool.Trim()
	p.ce.release()
	p.fc.Release()
}

// scoreFeatures evaluates the probe on host features (n, d).
func (p *probe) scoreFeatures(feats []float32, labels []int, n, d, classes, batch int) (Accuracy, error) {
	return scoreLinear(p.b, p.fc, feats, labels, n, d, classes, batch)
}

// scoreLinear evaluates the classifier fc on host features (n, d).
func scoreLinear(b engine.Backend, fc *layers.Linear, feats []float32, labels []int, n, d, classes, batch int) (Accuracy, error) {
	var acc Accuracy
	pool := layers.NewPool(b)
	defer pool.Trim()
	t := layers.NewTape(b, pool, false, false)
	bufs := newBatchTensors(b)
	defer bufs.release()
	out := make([]float32, batch*classes)
	for i := 0; i < n; i += batch {
		k := min(batch, n-i)
		h := bufs.get("h", k, d)
		b.Upload(h, feats[i*d:(i+k)*d])
		y := t.Linear(t.Input(h), fc.Weight, fc.Bias)
		err := b.Download(y.Value, out[:k*classes])
		t.Reset()
		if err != nil {
			return acc, fmt.Errorf("eval: score: %w", err)
		}
		acc.Add(out[:k*classes], labels[i:i+k], k, classes)
	}
	return acc, nil
}

// cropFlip is the augmentation of linear evaluation and fine-tuning: random
// resized crop and horizontal flip only.
func cropFlip(size int) augment.Config {
	c := augment.DefaultConfig(size)
	c.JitterP, c.GrayP, c.Blur = 0, 0, augment.BlurOff
	return c
}
