package train

import (
	"fmt"
	"math"

	"simclr-vk/layers"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/eval"
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

// features extracts h for every image of ds, in order (eval.Extract).
func (mo *monitor) features(m *layers.Model, ds data.Dataset) ([]float32, []int, error) {
	return eval.Extract(m, ds, eval.ExtractOptions{Size: mo.size, Batch: mo.batch, Workers: mo.workers})
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
