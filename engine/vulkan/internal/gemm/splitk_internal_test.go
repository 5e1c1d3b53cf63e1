package gemm

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// TestGemmSplitKPlan: slices cover k exactly once, depths are whole BK
// tiles, and long reductions are really split.
func TestGemmSplitKPlan(t *testing.T) {
	for _, s := range [][3]int{{13, 127, 8200}, {256, 256, 8192}, {1, 1, 100000}, {65, 33, 9001}, {4, 4, 1}, {300, 300, 20}} {
		for _, tile := range []int{32, 64} {
			slices, kchunk := splitKPlan(s[0], s[1], s[2], tile, tile)
			if kchunk%16 != 0 || slices < 1 || slices > 64 || (slices-1)*kchunk >= s[2] || slices*kchunk < s[2] {
				t.Errorf("%v tile %d: %d slices of %d do not cover k once", s, tile, slices, kchunk)
			}
			if s[2] >= 8192 && slices < 2 {
				t.Errorf("%v tile %d: k not split (%d slices)", s, tile, slices)
			}
		}
	}
}

// TestGemmSplitK runs both split-K kernels on weight-gradient-like shapes
// (small C, k past 8192 with a short last slice, all transposes, beta 0
// over NaN and beta != 0) against cpu.Gemm, and checks that a second run is
// bit-identical (fixed-order reduction).
func TestGemmSplitK(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	rng := rand.New(rand.NewSource(11))
	for _, s := range [][3]int{{13, 127, 8200}, {65, 33, 9001}} {
		m, n, k := s[0], s[1], s[2]
		a := conformance.Rand(rng, m*k, -1, 1)
		b := conformance.Rand(rng, k*n, -1, 1)
		at, bt := d.RT.New(m*k), d.RT.New(k*n)
		d.RT.Upload(at, a)
		d.RT.Upload(bt, b)
		for _, kernel := range []string{"splitk_64x64", "splitk_32x32"} {
			for _, tr := range [][2]bool{{false, false}, {true, true}, {true, false}} {
				for _, beta := range []float32{0, 0.5} {
					name := fmt.Sprintf("%s_m%d_n%d_k%d_ta%v_tb%v_beta%g", kernel, m, n, k, tr[0], tr[1], beta)
					c0 := conformance.Rand(rng, m*n, -1, 1)
					if beta == 0 {
						for i := range c0 {
							c0[i] = float32(nan32())
						}
					}
					want := slices.Clone(c0)
					cpu.Gemm(tr[0], tr[1], m, n, k, 0.75, a, b, beta, want)
					ct := d.RT.New(m * n)
					var first []float32
					for run := 0; run < 2; run++ {
						d.RT.Upload(ct, c0)
						d.Record(kernel, tr[0], tr[1], 1, m, n, k, 0.75, at, bt, beta, ct)
						got := make([]float32, m*n)
						if err := d.RT.Download(ct, got); err != nil {
							t.Fatal(err)
						}
						conformance.Close(t, name, got, want, conformance.Tol{Atol: 1e-5 * float64(k) / 100, Rtol: 1e-4})
						if run == 1 && !slices.Equal(got, first) {
							t.Errorf("%s: two runs differ", name)
						}
						first = got
					}
					ct.Release()
				}
			}
		}
		at.Release()
		bt.Release()
	}
}

func nan32() float64 {
	var z float64
	return z / z
}
