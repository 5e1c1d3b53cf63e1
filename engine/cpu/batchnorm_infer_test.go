package cpu

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
)

// TestBatchNormInferExact: the backend's inference batch norm (bnInferFast,
// AVX2 on planes of 64+ values) gives the reference's values exactly (a
// zero may differ in sign only), at several thread counts, on planes below
// and above the AVX2 threshold, with and without gamma, beta and ReLU. The
// kNN monitor's features rely on it: they must not change with the kernel.
func TestBatchNormInferExact(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, s := range []struct{ n, c, hw int }{{3, 5, 7}, {4, 6, 64}, {2, 9, 100}, {7, 3, 1}} {
		for _, v := range bnTestVariants {
			n, c, hw := s.n, s.c, s.hw
			x := randRange(rng, n*c*hw, -2, 2)
			gamma, beta := randRange(rng, c, 0.5, 1.5), randRange(rng, c, -1, 1)
			if !v.gamma {
				gamma = nil
			}
			if !v.beta {
				beta = nil
			}
			rm, rv := randRange(rng, c, -0.3, 0.3), randRange(rng, c, 0.2, 3)
			want := make([]float32, n*c*hw)
			BatchNormForwardInfer(want, x, gamma, beta, rm, rv, n, c, hw, 1e-5, v.relu)
			for _, th := range []int{1, 2, 5} {
				be := New(Options{Threads: th})
				up := func(v []float32, shape ...int) *engine.Tensor {
					if v == nil {
						return nil
					}
					t := be.New(shape...)
					be.Upload(t, v)
					return t
				}
				y := be.New(n, c, hw)
				be.BatchNormForwardInfer(y, up(x, n, c, hw), up(gamma, c), up(beta, c), up(rm, c), up(rv, c),
					engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, ReLU: v.relu})
				tag := fmt.Sprintf("n %d c %d hw %d %v threads %d", n, c, hw, v, th)
				for i, g := range Data(y) {
					if g != want[i] {
						t.Fatalf("%s: y[%d] = %g, reference %g", tag, i, g, want[i])
					}
				}
			}
		}
	}
}
