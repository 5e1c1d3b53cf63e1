package eval

import "simclr-vk/simclr/knn"

// Accuracy counts correct top-1 and top-5 predictions.
type Accuracy struct {
	N, Correct1, Correct5 int
}

// Top1 is Correct1 / N.
func (a Accuracy) Top1() float64 { return frac(a.Correct1, a.N) }

// Top5 is Correct5 / N.
func (a Accuracy) Top5() float64 { return frac(a.Correct5, a.N) }

// ClassifierResult is what LinearProbe and FineTune both report: the test
// split's accuracy (fractions in [0, 1]; top-5 only with more than five
// classes) and the schedule the classifier trained with.
type ClassifierResult struct {
	TestTop1  float64 `json:"test_top1"`
	TestTop5  float64 `json:"test_top5,omitempty"`
	HasTop5   bool    `json:"has_top5"`
	FinalLoss float64 `json:"final_loss"` // mean training loss of the last epoch
	TestN     int     `json:"test_images"`
	Classes   int     `json:"classes"`
	Epochs    int     `json:"epochs"`
	Batch     int     `json:"batch"`
	LR        float64 `json:"lr"`
}

func newClassifierResult(testN, classes, epochs, batch int, lr float64) ClassifierResult {
	return ClassifierResult{TestN: testN, Classes: classes, Epochs: epochs, Batch: batch, LR: lr, HasTop5: classes > 5}
}

// score records the test accuracy.
func (r *ClassifierResult) score(test Accuracy) {
	r.TestTop1 = test.Top1()
	if r.HasTop5 {
		r.TestTop5 = test.Top5()
	}
}

func frac(a, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(a) / float64(n)
}

// Add scores logits (n, classes) against labels (n) with knn.Rank: the
// label's rank is the number of classes with a higher score, or an equal
// score and a lower index (NaN ranks last).
func (a *Accuracy) Add(logits []float32, labels []int, n, classes int) {
	for i := range n {
		_, rank := knn.Rank(logits[i*classes:(i+1)*classes], labels[i])
		a.N++
		if rank == 0 {
			a.Correct1++
		}
		if rank < 5 {
			a.Correct5++
		}
	}
}
