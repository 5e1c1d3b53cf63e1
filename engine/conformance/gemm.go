package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Gemm and GemmBatched against the float64-accumulating cpu.Gemm: all four
// transpose combinations on sizes around 64- and 128-wide tile edges,
// vectors (m or n = 1), non-square shapes, dimensions that are all
// multiples of 4 (the vec4-load kernels' path in every transpose), beta =
// 0 over a NaN-filled C (C must be ignored) and alpha/beta scaling of an
// existing C.

var gemmShapes = [][3]int{ // m, n, k
	{1, 1, 1}, {3, 13, 127}, {13, 3, 1}, {1, 257, 31}, {200, 1, 77},
	{63, 65, 64}, {64, 65, 129}, {127, 129, 63}, {128, 127, 65}, {129, 128, 127},
	{257, 255, 300},
	{68, 132, 36}, // multiples of 4 (vec4-load kernels) with partial tiles
}

// gemmTol allows float32 accumulation over k products of magnitude <= 1,
// plus beta*C.
func gemmTol(k int) Tol { return Tol{Atol: 1e-6 * float64(k+2), Rtol: 1e-5} }

func init() {
	register("Gemm", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(4))
		for _, s := range gemmShapes {
			m, n, k := s[0], s[1], s[2]
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				ta, tb := tr[0], tr[1]
				for _, ab := range [][2]float32{{1, 0}, {-0.5, 1.5}} {
					alpha, beta := ab[0], ab[1]
					name := fmt.Sprintf("Gemm/m%d_n%d_k%d_ta%v_tb%v_alpha%g_beta%g", m, n, k, ta, tb, alpha, beta)
					t.Run(name, func(t *testing.T) {
						a := Rand(rng, m*k, -1, 1)
						bb := Rand(rng, k*n, -1, 1)
						c0 := Rand(rng, m*n, -1, 1)
						if beta == 0 {
							poison(c0)
						}
						at, bt := Upload(b, a, m*k), Upload(b, bb, k*n)
						g := guardOut(b, c0, m*n)
						b.Gemm(ta, tb, m, n, k, alpha, at, bt, beta, g.t)
						want := append([]float32(nil), c0...)
						cpu.Gemm(ta, tb, m, n, k, alpha, matmulRound(b, a), matmulRound(b, bb), beta, want)
						Close(t, "Gemm", g.done(t, b, "Gemm"), want, matmulTol(b, gemmTol(k)))
						at.Release()
						bt.Release()
					})
				}
			}
		}
		for _, s := range [][4]int{{1, 3, 13, 127}, {3, 1, 1, 1}, {3, 13, 3, 65}, {7, 65, 63, 64}, {5, 128, 1, 129}, {2, 129, 130, 33}} {
			batch, m, n, k := s[0], s[1], s[2], s[3]
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				ta, tb := tr[0], tr[1]
				t.Run(fmt.Sprintf("GemmBatched/b%d_m%d_n%d_k%d_ta%v_tb%v", batch, m, n, k, ta, tb), func(t *testing.T) {
					a := Rand(rng, batch*m*k, -1, 1)
					bb := Rand(rng, batch*k*n, -1, 1)
					c0 := Rand(rng, batch*m*n, -1, 1)
					alpha, beta := float32(0.75), float32(-1)
					at, bt := Upload(b, a, batch, m*k), Upload(b, bb, batch, k*n)
					g := guardOut(b, c0, batch, m*n)
					b.GemmBatched(ta, tb, batch, m, n, k, alpha, at, bt, beta, g.t)
					want := append([]float32(nil), c0...)
					cpu.GemmBatched(ta, tb, batch, m, n, k, alpha, matmulRound(b, a), matmulRound(b, bb), beta, want)
					Close(t, "GemmBatched", g.done(t, b, "GemmBatched"), want, matmulTol(b, gemmTol(k)))
					at.Release()
					bt.Release()
				})
			}
		}
	})
}
