package eval

import (
	"fmt"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
)

// CheckInput returns the side of the square images the encoder will see for
// ds: force when > 0, else the checkpoint's training size trained when
// recorded (> 0), else the shorter side of ds's images (its nominal size
// where sizes vary). It fails when ds's channel count differs from the
// encoder's, or when its images (of one size) differ from the recorded
// training size and no size is forced; images of varying sizes are each
// resized by the evaluation transform.
func CheckInput(cfg layers.Config, trained int, ds data.Dataset, force int) (int, error) {
	c, h, w := ds.Shape()
	in := cfg.Encoder.WithDefaults().InChannels
	if c != in {
		return 0, fmt.Errorf("eval: dataset %s has %d-channel images, the encoder takes %d channels (trained on other data?)", ds.Name(), c, in)
	}
	if force > 0 {
		return force, nil
	}
	if data.VariesInSize(ds) { // every image is resized (EvalView) anyway
		if trained > 0 {
			return trained, nil
		}
		return min(h, w), nil
	}
	if trained > 0 && (h != trained || w != trained) {
		return 0, fmt.Errorf("eval: dataset %s has %dx%d images, the checkpoint was trained on %dx%d: pass --image-size %d to centre-crop and resize", ds.Name(), h, w, trained, trained, trained)
	}
	return min(h, w), nil
}

// RequireLabels fails when ds has no labels or a label outside [0, classes).
func RequireLabels(ds data.Dataset) error {
	k := ds.NumClasses()
	if k < 1 {
		return fmt.Errorf("eval: dataset %s has no labels (missing label file?)", ds.Name())
	}
	for i := range ds.Len() {
		if l := ds.Label(i); l < 0 || l >= k {
			return fmt.Errorf("eval: dataset %s: image %d has label %d outside [0, %d)", ds.Name(), i, l, k)
		}
	}
	return nil
}

// ExtractOptions control Extract.
type ExtractOptions struct {
	Size    int // image side (CheckInput)
	Batch   int // images per forward pass (default 256)
	Workers int // loader goroutines (0: all cores)
	// Progress, when set, is called after each batch with the images done.
	Progress func(done, total int)
}

// Extract computes the eval-mode features h (N, D) of every image of ds in
// order, and the labels (-1 where ds has none).
func Extract(m *layers.Model, ds data.Dataset, o ExtractOptions) ([]float32, []int, error) {
	if o.Batch <= 0 {
		o.Batch = 256
	}
	n, d := ds.Len(), m.Encoder.FeatureDim()
	l, err := augment.NewEvalLoader(ds, augment.EvalConfig{BatchSize: o.Batch, Size: o.Size, Workers: o.Workers})
	if err != nil {
		return nil, nil, fmt.Errorf("eval: extract %s: %w", ds.Name(), err)
	}
	defer l.Close()
	bufs := newBatchTensors(m.Backend())
	defer bufs.release()
	feats := make([]float32, n*d)
	labels := make([]int, n)
	done := 0
	for range l.NumBatches() {
		bt, err := l.Next()
		if err != nil {
			return nil, nil, fmt.Errorf("eval: extract %s: %w", ds.Name(), err)
		}
		x := bufs.get("x", bt.N, bt.C, bt.H, bt.W)
		m.Backend().Upload(x, bt.Views[:x.Numel()])
		h := bufs.get("h", bt.N, d)
		if err := m.Features(h, x); err != nil {
			return nil, nil, fmt.Errorf("eval: extract %s: %w", ds.Name(), err)
		}
		if err := m.Backend().Download(h, feats[done*d:(done+bt.N)*d]); err != nil {
			return nil, nil, fmt.Errorf("eval: extract %s: %w", ds.Name(), err)
		}
		copy(labels[done:], bt.Labels[:bt.N])
		done += bt.N
		if o.Progress != nil {
			o.Progress(done, n)
		}
	}
	if done != n {
		return nil, nil, fmt.Errorf("eval: extract %s: loader gave %d of %d images", ds.Name(), done, n)
	}
	return feats, labels, nil
}

// batchTensors keeps one device tensor per (role, shape), so full batches
// and the shorter last batch each get their own.
type batchTensors struct {
	b engine.Backend
	m map[string]*engine.Tensor
}

func newBatchTensors(b engine.Backend) *batchTensors {
	return &batchTensors{b: b, m: map[string]*engine.Tensor{}}
}

func (c *batchTensors) get(role string, shape ...int) *engine.Tensor {
	k := fmt.Sprint(role, shape)
	if t, ok := c.m[k]; ok {
		return t
	}
	t := c.b.New(shape...)
	c.m[k] = t
	return t
}

// loaderEpoch runs step on each batch of one epoch of ds (augment.Epoch),
// the batch's views uploaded into the "x" tensor of its shape.
func (c *batchTensors) loaderEpoch(ds data.Dataset, cfg augment.LoaderConfig, step func(x *engine.Tensor, labels []int) error) error {
	return augment.Epoch(ds, cfg, func(bt *augment.Batch) error {
		x := c.get("x", bt.N, bt.C, bt.H, bt.W)
		c.b.Upload(x, bt.Views)
		return step(x, bt.Labels)
	})
}

func (c *batchTensors) release() {
	for _, t := range c.m {
		t.Release()
	}
	clear(c.m)
}
