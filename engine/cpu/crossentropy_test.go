package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// ce64 is the float64 mean softmax cross-entropy.
func ce64(logits []float64, labels []float32, n, classes int) float64 {
	total := 0.0
	for i := 0; i < n; i++ {
		row := logits[i*classes : (i+1)*classes]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(v - m)
		}
		total += m + math.Log(s) - row[int(labels[i])]
	}
	return total / float64(n)
}

// ceReference draws logits in [-scale, scale) and labels for n rows of
// classes, and returns them with the reference's loss and dlogits.
func ceReference(rng *rand.Rand, n, classes int, scale float64) (logits, labels, loss, dl []float32) {
	logits = randRange(rng, n*classes, -scale, scale)
	labels = make([]float32, n)
	for i := range labels {
		labels[i] = float32(rng.Intn(classes))
	}
	loss, dl = make([]float32, 1), make([]float32, n*classes)
	SoftmaxCrossEntropy(dl, loss, logits, labels, n, classes)
	return logits, labels, loss, dl
}

func TestSoftmaxCrossEntropyFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range [][2]int{{1, 1}, {1, 3}, {4, 5}, {7, 2}} {
		n, classes := s[0], s[1]
		t.Run(fmt.Sprintf("n%d_classes%d", n, classes), func(t *testing.T) {
			logits, labels, loss, dl := ceReference(rng, n, classes, 3)
			l64 := to64(logits)
			checkClose64(t, "loss", loss, []float64{ce64(l64, labels, n, classes)}, 1e-6, 1e-6)
			num := fdGrad64(l64, 1e-6, func() float64 { return ce64(l64, labels, n, classes) })
			checkClose64(t, "dlogits", dl, num, 1e-6, 1e-4)
		})
	}
}

func TestSoftmaxCrossEntropyLargeLogits(t *testing.T) {
	logits := []float32{1000, -1000, 990, 88, 89, 90}
	labels := []float32{2, 0}
	loss, dl := make([]float32, 1), make([]float32, 6)
	SoftmaxCrossEntropy(dl, loss, logits, labels, 2, 3)
	checkClose64(t, "loss", loss, []float64{ce64(to64(logits), labels, 2, 3)}, 1e-6, 1e-6)
	for i, v := range dl {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Errorf("dlogits[%d] = %v", i, v)
		}
	}
}

func TestSoftmaxCrossEntropyBackendMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	n, classes := 37, 11
	logits, labels, loss, dl := ceReference(rng, n, classes, 5)
	be := New(Options{Threads: 3})
	lt, lbt, lo, dlt := be.New(n, classes), be.New(n), be.New(1), be.New(n, classes)
	be.Upload(lt, logits)
	be.Upload(lbt, labels)
	be.SoftmaxCrossEntropy(dlt, lo, lt, lbt, n, classes)
	checkClose64(t, "loss", Data(lo), to64(loss), 0, 0)
	checkClose64(t, "dlogits", Data(dlt), to64(dl), 0, 0)
}

func TestSoftmaxCrossEntropyBadLabels(t *testing.T) {
	be := New(Options{})
	for _, bad := range []float32{3, -1, 1.5, float32(math.NaN())} {
		lbt := be.New(2)
		be.Upload(lbt, []float32{0, bad})
		checkPanics(t, "engine: SoftmaxCrossEntropy: label", func() {
			be.SoftmaxCrossEntropy(nil, be.New(1), be.New(2, 3), lbt, 2, 3)
		})
	}
	checkPanics(t, "engine: SoftmaxCrossEntropy: labels", func() {
		be.SoftmaxCrossEntropy(nil, be.New(1), be.New(2, 3), be.New(3), 2, 3)
	})
}
