package vulkan_test

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
)

// TestGemmKernelShapes covers what the conformance shapes miss: the vec4
// GEMM kernel of CPU devices (m, n and k multiples of 4) and the 128x128
// tiles of gemm_tiled (m*n >= 512^2), with all transposes, tile edges,
// batches, beta = 0 over NaN and beta != 0, against cpu.Gemm.
func TestGemmKernelShapes(t *testing.T) {
	for _, v := range []string{"subgroup", "regblock", "tiled", "splitk"} {
		t.Run(v, func(t *testing.T) {
			d := openDevice(t, vulkan.Options{GemmVariant: v})
			rng := rand.New(rand.NewSource(7))
			for _, s := range [][4]int{ // batch, m, n, k
				{1, 4, 4, 4}, {1, 8, 12, 16}, {1, 68, 132, 36}, {1, 64, 64, 64}, {1, 4, 260, 8}, {1, 132, 4, 4}, {3, 12, 20, 28},
				// m*n >= 512^2 selects the 128x128 tiles of gemm_tiled; the
				// odd one has ragged edges and a k that is no tile multiple.
				{1, 516, 520, 12}, {1, 513, 515, 7},
			} {
				batch, m, n, k := s[0], s[1], s[2], s[3]
				for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
					for _, beta := range []float32{0, 0.5} {
						name := fmt.Sprintf("b%d_m%d_n%d_k%d_ta%v_tb%v_beta%g", batch, m, n, k, tr[0], tr[1], beta)
						a := conformance.Rand(rng, batch*m*k, -1, 1)
						b := conformance.Rand(rng, batch*k*n, -1, 1)
						c0 := conformance.Rand(rng, batch*m*n, -1, 1)
						if beta == 0 {
							for i := range c0 {
								c0[i] = float32(nan())
							}
						}
						at, bt := upload(d, a, batch*m*k), upload(d, b, batch*k*n)
						g, err := d.NewGuarded(conformance.Sentinel, 33, batch*m*n)
						if err != nil {
							t.Fatal(err)
						}
						d.Upload(g.T, c0)
						d.GemmBatched(tr[0], tr[1], batch, m, n, k, 1.25, at, bt, beta, g.T)
						want := append([]float32(nil), c0...)
						cpu.GemmBatched(tr[0], tr[1], batch, m, n, k, 1.25, a, b, beta, want)
						conformance.Close(t, name, download(t, d, g.T), want, conformance.Tol{Atol: 1e-6 * float64(k+2), Rtol: 1e-5})
						if err := g.Check(); err != nil {
							t.Errorf("%s: %v", name, err)
						}
						g.Release()
						at.Release()
						bt.Release()
					}
				}
			}
		})
	}
}
