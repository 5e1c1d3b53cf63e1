package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// L2Normalize forward and backward against the cpu references. Row 0 is
// all zeros (the norm is clamped to 1e-12, y = 0) and, when there is a
// second row, row 1 is tiny (1e-20 per element, also clamped).

var l2Shapes = [][2]int{{1, 1}, {1, 3}, {3, 128}, {13, 130}, {127, 3}, {34, 128}}

func init() {
	register("L2Normalize", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(12))
		for _, s := range l2Shapes {
			rows, dim := s[0], s[1]
			t.Run(fmt.Sprintf("rows%d_dim%d", rows, dim), func(t *testing.T) {
				x := Rand(rng, rows*dim, -2, 2)
				for j := 0; j < dim; j++ {
					x[j] = 0
					if rows > 1 {
						x[dim+j] = 1e-20
					}
				}
				y, norm := make([]float32, rows*dim), make([]float32, rows)
				cpu.L2NormalizeForward(y, norm, x, rows, dim)
				xt := Upload(b, x, rows, dim)
				yt, nt := guardOut(b, nil, rows, dim), guardOut(b, nil, rows)
				b.L2NormalizeForward(yt.t, nt.t, xt, rows, dim)
				Close(t, "L2NormalizeForward y", yt.done(t, b, "y"), y, Tol{Atol: 1e-7, Rtol: 1e-5})
				Close(t, "L2NormalizeForward norm", nt.done(t, b, "norm"), norm, Tol{Atol: 0, Rtol: 1e-5})

				dy := Rand(rng, rows*dim, -1, 1)
				dx := make([]float32, rows*dim)
				cpu.L2NormalizeBackward(dx, dy, y, norm, rows, dim)
				dyt, yt2, nt2 := Upload(b, dy, rows, dim), Upload(b, y, rows, dim), Upload(b, norm, rows)
				dxt := guardOut(b, nil, rows, dim)
				b.L2NormalizeBackward(dxt.t, dyt, yt2, nt2, rows, dim)
				Close(t, "L2NormalizeBackward dx", dxt.done(t, b, "dx"), dx, Tol{Atol: 1e-6, Rtol: 1e-4})
				for _, r := range []*engine.Tensor{xt, dyt, yt2, nt2} {
					r.Release()
				}
			})
		}
	})
}
