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
					optimSteps(t, b, "SGDStep", []string{"w", "v"}, [][]float32{w, v}, func(int) []float32 { return Rand(rng, n, -1, 1) },
						func(s []*engine.Tensor, gt *engine.Tensor, g []float32) {
							b.SGDStep(s[0], gt, s[1], p)
							cpu.SGDStep(w, g, v, p.LR, p.Momentum, p.WeightDecay, p.Nesterov)
						})
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
					grad := func(step int) []float32 {
						g := Rand(rng, n, -0.01, 0.01)
						p.WeightDecay = 1e-4
						if c.zeroG && step == 0 {
							clear(g)
							p.WeightDecay = 0 // ||g'|| = 0: trust 1
						}
						return g
					}
					optimSteps(t, b, "LARSStep", []string{"w", "v"}, [][]float32{w, v}, grad, func(s []*engine.Tensor, gt *engine.Tensor, g []float32) {
						b.LARSStep(s[0], gt, s[1], p)
						cpu.LARSStep(w, g, v, p.LR, p.Momentum, p.WeightDecay, p.Eta, p.Exclude)
					})
				})
			}
			t.Run(fmt.Sprintf("AdamW/n%d", n), func(t *testing.T) {
				p := engine.AdamWParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05}
				w, m, v := Rand(rng, n, -1, 1), make([]float32, n), make([]float32, n)
				grad := func(step int) []float32 {
					p.Step = step + 1
					return Rand(rng, n, -1, 1)
				}
				optimSteps(t, b, "AdamWStep", []string{"w", "m", "v"}, [][]float32{w, m, v}, grad, func(s []*engine.Tensor, gt *engine.Tensor, g []float32) {
					b.AdamWStep(s[0], gt, s[1], s[2], p)
					cpu.AdamWStep(w, g, m, v, p.LR, p.Beta1, p.Beta2, p.Eps, p.WeightDecay, p.Step)
				})
			})
		}
	})
}

// optimSteps uploads the optimizer state (state[i] named names[i]), then
// three times draws a gradient (grad(step), step 0, 1, 2), uploads it and
// runs step, which applies the backend op to the state tensors and the
// reference to the state slices; it checks that the backend left the
// gradient alone, and at the end that its state matches the reference's.
func optimSteps(t *testing.T, b engine.Backend, op string, names []string, state [][]float32, grad func(step int) []float32,
	step func(s []*engine.Tensor, gt *engine.Tensor, g []float32)) {
	ts := make([]*engine.Tensor, len(state))
	for i, v := range state {
		ts[i] = Upload(b, v, len(v))
	}
	for i := 0; i < 3; i++ {
		g := grad(i)
		gt := Upload(b, g, len(g))
		step(ts, gt, g)
		Close(t, op+" g unchanged", Download(t, b, gt), g, exact)
		gt.Release()
	}
	for i, v := range state {
		Close(t, op+" "+names[i], Download(t, b, ts[i]), v, optimTol)
		ts[i].Release()
	}
}
