package cpu

import (
	"fmt"
	"math"

	"simclr-vk/engine"
)

// SoftmaxCrossEntropy is the reference softmax cross-entropy with integer
// labels carried as float32:
//
//	dlogits (n, classes) output (softmax - onehot) / n, or nil
//	loss    (1) output: mean_i -log softmax(logits[i])[label_i]
//	logits  (n, classes)
//	labels  (n) class indices in [0, classes)
//
// Log-sum-exp with the row max, sums in float64. A label that is not a
// class index panics (checked before anything is written).
func SoftmaxCrossEntropy(dlogits, loss, logits, labels []float32, n, classes int) {
	checkLabels("SoftmaxCrossEntropy", labels, n, classes)
	total := 0.0
	for i := 0; i < n; i++ {
		total += softmaxCrossEntropyRow(dlogits, logits, labels, i, n, classes)
	}
	loss[0] = float32(total / float64(n))
}

// softmaxCrossEntropyRow returns row i's loss and writes its dlogits row
// (when dlogits is not nil).
func softmaxCrossEntropyRow(dlogits, logits, labels []float32, i, n, classes int) float64 {
	row := logits[i*classes : (i+1)*classes]
	m := row[0]
	for _, v := range row {
		m = max(m, v)
	}
	sum := 0.0
	for _, v := range row {
		sum += math.Exp(float64(v - m))
	}
	lse := float64(m) + math.Log(sum)
	label := int(labels[i])
	if dlogits != nil {
		d := dlogits[i*classes : (i+1)*classes]
		for c, v := range row {
			p := math.Exp(float64(v) - lse)
			if c == label {
				p--
			}
			d[c] = float32(p / float64(n))
		}
	}
	return lse - float64(row[label])
}

// checkLabels panics unless every label is an integer class index.
func checkLabels(op string, labels []float32, n, classes int) {
	for i, l := range labels[:n] {
		if !(l >= 0 && l < float32(classes)) || l != float32(math.Trunc(float64(l))) {
			panic(fmt.Sprintf("engine: %s: label %v of row %d is not a class index in [0, %d)", op, l, i, classes))
		}
	}
}

// SoftmaxCrossEntropy implements engine.Backend: rows in parallel, the mean
// reduced in row order.
func (be *Backend) SoftmaxCrossEntropy(dlogits, loss, logits, labels *engine.Tensor, n, classes int) {
	const op = "SoftmaxCrossEntropy"
	engine.CheckBackend(op, be, dlogits, loss, logits, labels)
	engine.CheckSizes(op, "n classes", n, classes)
	engine.CheckNumel(op, "logits", logits, n*classes)
	engine.CheckNumel(op, "labels", labels, n)
	engine.CheckNumel(op, "loss", loss, 1)
	if dlogits != nil {
		engine.CheckNumel(op, "dlogits", dlogits, n*classes)
	}
	dd, ld, lb := data(dlogits), data(logits), data(labels)
	checkLabels(op, lb, n, classes)
	rowLoss := make([]float64, n)
	be.parallelFor(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			rowLoss[i] = softmaxCrossEntropyRow(dd, ld, lb, i, n, classes)
		}
	})
	total := 0.0
	for _, v := range rowLoss {
		total += v
	}
	data(loss)[0] = float32(total / float64(n))
}
