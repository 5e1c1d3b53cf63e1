package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Optimizers: three consecutive steps of SGD (plain, momentum, Nesterov),
// LARS (adapted, excluded, zero weights, zero gradient) and AdamW against
// the cpu references, on odd lengths. The state after the steps (w, v, m)
// is compared.

var optimSizes = []int{1, 13, 1027}

// optimTol: a few float32 operations per element and step; LARS's trust
// ratio comes from float32 norms on a device.
var optimTol = Tol{Atol: 1e-6, Rtol: 2e-5}

func init() {
	register("Optim", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(15))
		for _, n := range optimSizes {
			for _, p := range []engine.SGDParams{
				{LR: 0.1},
				{LR: 0.1, Momentum: 0.9, WeightDecay: 5e-4},
				{LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4, Nesterov: true},
			} {
				t.Run(fmt.Sprintf("SGD/n%d_m%g_wd%g_nesterov%v", n, p.Momentum, p.WeightDecay, p.Nesterov), func(t *testing.T) {
					w, v := Rand(rng, n, -1, 1), make([]float32, n)
					wt, vt := Upload(b, w, n), Upload(b, v, n)
					for step := 0; step < 3; step++ {
						g := Rand(rng, n, -1, 1)
						gt := Upload(b, g, n)
						b.SGDStep(wt, gt, vt, p)
						cpu.SGDStep(w, g, v, p.LR, p.Momentum, p.WeightDecay, p.Nesterov)
						Close(t, "SGDStep g unchanged", Download(t, b, gt), g, exact)
						gt.Release()
					}
					Close(t, "SGDStep w", Download(t, b, wt), w, optimTol)
					Close(t, "SGDStep v", Download(t, b, vt), v, optimTol)
					wt.Release()
					vt.Release()
				})
			}
			for _, c := range []struct {
				name         string
				exclude      bool
				zeroW, zeroG bool
			}{{"adapted", false, false, false}, {"excluded", true, false, false}, {"zero_w", false, true, false}, {"zero_g", false, false, true}} {
				t.Run(fmt.Sprintf("LARS/n%d_%s", n, c.name), func(t *testing.T) {
					p := engine.LARSParams{LR: 0.6, Momentum: 0.9, WeightDecay: 1e-4, Eta: 1e-3, Exclude: c.exclude}
					w, v := Rand(rng, n, -1, 1), make([]float32, n)
					if c.zeroW {
						clear(w)
					}
					wt, vt := Upload(b, w, n), Upload(b, v, n)
					for step := 0; step < 3; step++ {
						g := Rand(rng, n, -0.01, 0.01)
						p.WeightDecay = 1e-4
						if c.zeroG && step == 0 {
							clear(g)
							p.WeightDecay = 0 // ||g'|| = 0: trust 1
						}
						gt := Upload(b, g, n)
						b.LARSStep(wt, gt, vt, p)
						cpu.LARSStep(w, g, v, p.LR, p.Momentum, p.WeightDecay, p.Eta, p.Exclude)
						Close(t, "LARSStep g unchanged", Download(t, b, gt), g, exact)
						gt.Release()
					}
					Close(t, "LARSStep w", Download(t, b, wt), w, optimTol)
					Close(t, "LARSStep v", Download(t, b, vt), v, optimTol)
					wt.Release()
					vt.Release()
				})
			}
			t.Run(fmt.Sprintf("AdamW/n%d", n), func(t *testing.T) {
				p := engine.AdamWParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05}
				w, m, v := Rand(rng, n, -1, 1), make([]float32, n), make([]float32, n)
				wt, mt, vt := Upload(b, w, n), Upload(b, m, n), Upload(b, v, n)
				for step := 1; step <= 3; step++ {
					p.Step = step
					g := Rand(rng, n, -1, 1)
					gt := Upload(b, g, n)
					b.AdamWStep(wt, gt, mt, vt, p)
					cpu.AdamWStep(w, g, m, v, p.LR, p.Beta1, p.Beta2, p.Eps, p.WeightDecay, p.Step)
					Close(t, "AdamWStep g unchanged", Download(t, b, gt), g, exact)
					gt.Release()
				}
				Close(t, "AdamWStep w", Download(t, b, wt), w, optimTol)
				Close(t, "AdamWStep m", Download(t, b, mt), m, optimTol)
				Close(t, "AdamWStep v", Download(t, b, vt), v, optimTol)
				wt.Release()
				mt.Release()
				vt.Release()
			})
		}
	})
}
