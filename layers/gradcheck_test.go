package layers_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
)

// TestGradientFiniteDifferences checks the whole backward pass (encoder,
// head, L2 normalisation, NT-Xent) of tiny networks on the CPU backend
// against central differences of the training-mode forward loss.
//
// For every parameter tensor p, two directional derivatives are compared:
// along u = g/|g| (the analytic gradient's own direction: catches wrong
// scale or sign) and along a random unit Gaussian direction (catches errors
// orthogonal to g, e.g. wrong indices). The forward is float32, so the
// steps are large for a finite difference (1e-3 down to 1e-4 along a unit
// direction, ~eps/sqrt(numel) per entry); Richardson extrapolation cancels
// the O(eps^2) truncation term and ReLU kinks crossed by such small
// perturbations are rare. Differences accumulate in float64. A backward that
// drops a term, mis-scales, mis-indexes or forgets to accumulate a residual
// gradient breaks at least one of these by far more than the tolerance.
func TestGradientFiniteDifferences(t *testing.T) {
	for _, c := range []struct {
		name  string
		cfg   layers.Config
		n, hw int
		gtol  float64 // tolerance as a fraction of |g|
	}{
		// BasicBlock, CIFAR stem, identity and downsample shortcuts.
		{"resnet18-cifar", tinyConfig("resnet18", layers.StemCIFAR), 3, 8, 0.005},
		// Bottleneck, ImageNet stem with max-pool. 64 px so that the last
		// stage is still 2x2; 16 blocks of 4-channel bottlenecks at batch 6
		// make the loss far more curved near the input, hence the looser
		// tolerance (still a few percent of |g|).
		{"resnet50-imagenet", tinyConfig("resnet50", layers.StemImageNet), 3, 64, 0.02},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := cpu.New(cpu.Options{})
			m := newModel(t, b, c.cfg)
			defer m.Release()
			x := upload(b, randomViews(11, c.n, 3, c.hw, c.hw, 0.3), 2*c.n, 3, c.hw, c.hw)
			const tau = 0.5
			loss, _, err := m.Step(x, tau)
			if err != nil {
				t.Fatal(err)
			}
			l0, _, err := m.Loss(x, tau)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(float64(loss-l0)) > 1e-5 {
				t.Errorf("Step loss %v, forward-only loss %v", loss, l0)
			}
			rng := rand.New(rand.NewPCG(5, 5))
			steps := []float64{1e-3, 3e-4, 1e-4}
			bad := 0
			for _, p := range m.Params() {
				g := download(t, b, p.Grad)
				w := cpu.Data(p.Value)
				w0 := append([]float32(nil), w...)
				gn := norm(g)
				dirs := [][]float64{make([]float64, len(g)), make([]float64, len(g))}
				for i := range g {
					if gn > 0 {
						dirs[0][i] = float64(g[i]) / gn
					}
					dirs[1][i] = rng.NormFloat64()
				}
				normalize(dirs[1])
				for k, d := range dirs {
					if k == 0 && gn == 0 {
						continue
					}
					lossAt := func(s float64) float64 {
						for i := range w {
							w[i] = float32(float64(w0[i]) + s*d[i])
						}
						l, _, err := m.Loss(x, tau)
						if err != nil {
							t.Fatal(err)
						}
						return float64(l)
					}
					// Richardson extrapolation of two central differences
					// cancels the O(eps^2) term. The estimate is tried at
					// several step sizes, largest first: a large step
					// suffers from curvature (strong in the tiny BN
					// networks, where channels that are zero over the
					// whole batch amplify gradients by 1/sqrt(bn eps)), a
					// small one from float32 rounding of the loss. A
					// wrong backward matches at none of them.
					fdAt := func(eps float64) float64 {
						d1 := (lossAt(eps) - lossAt(-eps)) / (2 * eps)
						d2 := (lossAt(eps/2) - lossAt(-eps/2)) / eps
						return (4*d2 - d1) / 3
					}
					an := 0.0
					for i := range g {
						an += float64(g[i]) * d[i]
					}
					// Relative to the derivative itself and to |g| (the
					// largest directional derivative), since the finite
					// difference error scales with the curvature, not
					// with the direction's projection on g.
					const atol, rtol = 1e-3, 0.05
					var fds []float64
					ok := false
					for _, eps := range steps {
						fd := fdAt(eps)
						fds = append(fds, fd)
						if math.Abs(fd-an) <= atol+rtol*math.Abs(an)+c.gtol*gn {
							ok = true
							break
						}
					}
					if !ok {
						bad++
						if bad <= 12 {
							t.Errorf("%s (%v) direction %d: analytic %.6g, finite differences %.6g at steps %v (|g| %.3g)", p.Name, p.Shape(), k, an, fds, steps, gn)
						}
					}
				}
				copy(w, w0)
			}
			if bad > 0 {
				t.Errorf("%d directional derivatives out of tolerance", bad)
			}
		})
	}
}

func norm(v []float32) float64 {
	s := 0.0
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func normalize(v []float64) {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	s = math.Sqrt(s)
	for i := range v {
		v[i] /= s
	}
}
