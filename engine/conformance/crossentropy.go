package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// SoftmaxCrossEntropy (loss and dlogits, and loss only) against the cpu
// reference. Row 0 has large logits (+-60 around 1000) to check the
// max-subtracted log-sum-exp.

var ceShapes = [][2]int{{1, 1}, {1, 10}, {3, 2}, {13, 10}, {127, 13}, {5, 1000}}

func init() {
	register("SoftmaxCrossEntropy", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(13))
		for _, s := range ceShapes {
			n, classes := s[0], s[1]
			t.Run(fmt.Sprintf("n%d_classes%d", n, classes), func(t *testing.T) {
				logits := Rand(rng, n*classes, -4, 4)
				for c := 0; c < classes; c++ {
					logits[c] = 1000 + 60*(2*rng.Float32()-1)
				}
				labels := make([]float32, n)
				for i := range labels {
					labels[i] = float32(rng.Intn(classes))
				}
				loss, dl := make([]float32, 1), make([]float32, n*classes)
				cpu.SoftmaxCrossEntropy(dl, loss, logits, labels, n, classes)
				lt, lbt := Upload(b, logits, n, classes), Upload(b, labels, n)
				lo, dlt := guardOut(b, nil, 1), guardOut(b, nil, n, classes)
				b.SoftmaxCrossEntropy(dlt.t, lo.t, lt, lbt, n, classes)
				Close(t, "SoftmaxCrossEntropy loss", lo.done(t, b, "loss"), loss, Tol{Atol: 1e-6, Rtol: 1e-5})
				Close(t, "SoftmaxCrossEntropy dlogits", dlt.done(t, b, "dlogits"), dl, Tol{Atol: 1e-7, Rtol: 1e-4})

				lo = guardOut(b, nil, 1)
				b.SoftmaxCrossEntropy(nil, lo.t, lt, lbt, n, classes)
				Close(t, "SoftmaxCrossEntropy loss (no dlogits)", lo.done(t, b, "loss"), loss, Tol{Atol: 1e-6, Rtol: 1e-5})
				lt.Release()
				lbt.Release()
			})
		}
	})
}
