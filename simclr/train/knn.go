package train

import (
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

// cpuMonitorBatch is the kNN monitor's extraction batch on a CPU device:
// with the builtin convolutions a batch's activations then stay in the
// caches (less CPU time and wall time than batches of 256); with oneDNN
// the batch makes no measurable difference (docs/performance.md, issue
// #22). The features are the same bit for bit (simclr/eval's
// TestExtractSameFeaturesAnyBatch).
const cpuMonitorBatch = 64

// monitorBatch is the kNN monitor's extraction batch for a training batch
// of n images: the step's 2n views on a GPU, at most cpuMonitorBatch on a
// CPU.
func monitorBatch(n int, gpu bool) int {
	if gpu {
		return 2 * n
	}
	return min(2*n, cpuMonitorBatch)
}

// knnResult is in percent (NaN when not evaluated).
type knnResult struct{ top1, top5 float64 }

var noKNN = knnResult{math.NaN(), math.NaN()}

// eval returns the kNN top-1 and top-5 (percent; top-5 NaN with 5 classes
// or fewer) of eval.KNNClasses: features from eval.Extract, then simclr/knn.
func (mo *monitor) eval(m *layers.Model) (knnResult, error) {
	o := eval.ExtractOptions{Size: mo.size, Batch: mo.batch, Workers: mo.workers}
	r, err := eval.KNNClasses(m, mo.bank, mo.query, mo.classes, o, mo.opt)
	if err != nil {
		return noKNN, err
	}
	res := knnResult{top1: 100 * r.Top1, top5: math.NaN()}
	if r.HasTop5 {
		res.top5 = 100 * r.Top5
	}
	return res, nil
}
