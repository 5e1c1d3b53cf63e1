package eval

import (
	"fmt"

	"simclr-vk/layers"
	"simclr-vk/simclr/data"
	"simclr-vk/simclr/knn"
)

// KNN extracts the features of train (the bank) and test and runs the
// weighted kNN classifier of simclr/knn on them.
func KNN(m *layers.Model, train, test data.Dataset, o ExtractOptions, opt knn.Options) (knn.Result, error) {
	classes, err := checkSplits(train, test)
	if err != nil {
		return knn.Result{}, err
	}
	return KNNClasses(m, train, test, classes, o, opt)
}

// KNNClasses is KNN over the given number of classes, without checking
// that the splits are labeled alike: for callers that checked the splits
// themselves (simclr/train's monitor takes the larger class count of its
// bank and query splits).
func KNNClasses(m *layers.Model, train, test data.Dataset, classes int, o ExtractOptions, opt knn.Options) (knn.Result, error) {
	progress := o.Progress
	if progress != nil {
		// one bar over both splits
		total := train.Len() + test.Len()
		o.Progress = func(done, _ int) { progress(done, total) }
	}
	bank, bankL, err := Extract(m, train, o)
	if err != nil {
		return knn.Result{}, err
	}
	if progress != nil {
		off, total := train.Len(), train.Len()+test.Len()
		o.Progress = func(done, _ int) { progress(off+done, total) }
	}
	tf, tl, err := Extract(m, test, o)
	if err != nil {
		return knn.Result{}, err
	}
	d := m.Encoder.FeatureDim()
	mon, err := knn.New(m.Backend(), bank, bankL, train.Len(), d, classes, opt)
	if err != nil {
		return knn.Result{}, fmt.Errorf("eval: knn: %w", err)
	}
	defer mon.Close()
	r, err := mon.Evaluate(tf, tl, test.Len())
	if err != nil {
		return r, fmt.Errorf("eval: knn: %w", err)
	}
	return r, nil
}
