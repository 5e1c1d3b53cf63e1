package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Reductions against the float64-accumulating cpu references: single rows
// and columns, tile edges and one case large enough for parallel paths.

var reduceShapes = [][2]int{{1, 1}, {1, 127}, {127, 1}, {13, 3}, {3, 13}, {64, 65}, {129, 127}, {300, 257}, {7, 10007}}

// sumTol allows float32 accumulation of count terms of magnitude <= 1.
func sumTol(count int) Tol { return Tol{Atol: 2e-7 * float64(count), Rtol: 1e-5} }

func init() {
	register("Reduce", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(3))
		type red struct {
			name  string
			dev   func(dst, src *engine.Tensor, rows, cols int)
			ref   func(dst, src []float32, rows, cols int)
			byRow bool
		}
		for _, s := range reduceShapes {
			rows, cols := s[0], s[1]
			x := Rand(rng, rows*cols, -1, 1)
			for _, op := range []red{
				{"SumRows", b.SumRows, cpu.SumRows, true},
				{"MeanRows", b.MeanRows, cpu.MeanRows, true},
				{"SumCols", b.SumCols, cpu.SumCols, false},
				{"MeanCols", b.MeanCols, cpu.MeanCols, false},
			} {
				t.Run(fmt.Sprintf("%s/%dx%d", op.name, rows, cols), func(t *testing.T) {
					outN, count := cols, rows
					if op.byRow {
						outN, count = rows, cols
					}
					xs := Upload(b, x, rows*cols)
					g := guardOut(b, nil, outN)
					op.dev(g.t, xs, rows, cols)
					want := make([]float32, outN)
					op.ref(want, x, rows, cols)
					Close(t, op.name, g.done(t, b, op.name), want, sumTol(count))
					xs.Release()
				})
			}
		}
		for _, n := range []int{1, 13, 127, 4097, 100003} {
			t.Run(fmt.Sprintf("SumSquares/n=%d", n), func(t *testing.T) {
				x := Rand(rng, n, -1, 1)
				xs := Upload(b, x, n)
				g := guardOut(b, nil, 1)
				b.SumSquares(g.t, xs)
				want := make([]float32, 1)
				cpu.SumSquares(want, x)
				Close(t, "SumSquares", g.done(t, b, "SumSquares"), want, sumTol(n))
				xs.Release()
			})
		}
	})
}
