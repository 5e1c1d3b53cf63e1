package train

import (
	"fmt"
	"io"
	"math"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/simclr/augment"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/knn"
)

// monitor runs the kNN evaluation of the encoder: bank = training images,
// queries = test images, features from Model.Features (BN in eval mode).
type monitor struct {
	bank, query data.Dataset
	classes     int
	size        int // view side (centre crop resized)
	batch       int
	workers     int
	opt         knn.Options
}

// knnResult is in percent (NaN when not evaluated).
type knnResult struct{ top1, top5 float64 }

var noKNN = knnResult{math.NaN(), math.NaN()}

// features extracts h for every image of ds, in order.
func (mo *monitor) features(m *layers.Model, ds data.Dataset) ([]float32, []int, error) {
	l, err := augment.NewEvalLoader(ds, augment.EvalConfig{BatchSize: mo.batch, Size: mo.size, Workers: mo.workers})
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	b := m.Backend()
	d := m.Encoder.FeatureDim()
	feats := make([]float32, 0, ds.Len()*d)
	labels := make([]int, 0, ds.Len())
	var x, h *engine.Tensor
	defer func() {
		if x != nil {
			x.Release()
			h.Release()
		}
	}()
	for {
		bt, err := l.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if x == nil || x.Shape()[0] != bt.N {
			if x != nil {
				x.Release()
				h.Release()
			}
			x, h = b.New(bt.N, bt.C, bt.H, bt.W), b.New(bt.N, d)
		}
		b.Upload(x, bt.Views)
		if err := m.Features(h, x); err != nil {
			return nil, nil, fmt.Errorf("features of %s: %w", ds.Name(), err)
		}
		n := len(feats)
		feats = feats[:n+bt.N*d]
		if err := b.Download(h, feats[n:]); err != nil {
			return nil, nil, fmt.Errorf("features of %s: %w", ds.Name(), err)
		}
		labels = append(labels, bt.Labels...)
	}
	return feats, labels, nil
}

// eval returns the kNN top-1 and top-5 (percent; top-5 NaN with 5 classes
// or fewer).
func (mo *monitor) eval(m *layers.Model) (knnResult, error) {
	bf, bl, err := mo.features(m, mo.bank)
	if err != nil {
		return noKNN, fmt.Errorf("kNN bank: %w", err)
	}
	qf, ql, err := mo.features(m, mo.query)
	if err != nil {
		return noKNN, fmt.Errorf("kNN queries: %w", err)
	}
	d := m.Encoder.FeatureDim()
	mon, err := knn.New(m.Backend(), bf, bl, len(bl), d, mo.classes, mo.opt)
	if err != nil {
		return noKNN, err
	}
	defer mon.Close()
	r, err := mon.Evaluate(qf, ql, len(ql))
	if err != nil {
		return noKNN, err
	}
	res := knnResult{top1: 100 * r.Top1, top5: math.NaN()}
	if r.HasTop5 {
		res.top5 = 100 * r.Top5
	}
	return res, nil
}
