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
