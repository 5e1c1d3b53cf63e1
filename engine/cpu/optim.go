package cpu

import (
	"fmt"
	"math"

	"simclr-vk/engine"
)

// Optimizer steps. Each updates w and its state in place and leaves g
// unchanged; all slices have the same length n.

// SGDStep is the reference of PyTorch's SGD (dampening 0):
//
//	g' = g + wd*w;  v = momentum*v + g';  w -= lr * (nesterov ? g' + momentum*v : v)
//
//	w (n) updated, g (n), v (n) momentum buffer updated (zero before the first step)
func SGDStep(w, g, v []float32, lr, momentum, weightDecay float32, nesterov bool) {
	for i := range w {
		gi := g[i] + weightDecay*w[i]
		v[i] = momentum*v[i] + gi
		step := v[i]
		if nesterov {
			step = gi + momentum*v[i]
		}
		w[i] -= lr * step
	}
}

// LARSTrust is the trust ratio of the SimCLR reference LARS
// (lars_optimizer.py): eta*||w||/||g'|| when both norms are > 0, else 1.
// Norms are accumulated in float64; g' = g + weightDecay*w (float32).
//
//	w (n), g (n)
func LARSTrust(w, g []float32, weightDecay, eta float32) float64 {
	ww, gg := 0.0, 0.0
	for i := range w {
		gi := float64(g[i] + weightDecay*w[i])
		ww += float64(w[i]) * float64(w[i])
		gg += gi * gi
	}
	if ww > 0 && gg > 0 {
		return float64(eta) * math.Sqrt(ww) / math.Sqrt(gg)
	}
	return 1
}

// LARSStep is the reference of the SimCLR LARS step (classic momentum, no
// Nesterov): unless exclude, g' = g + wd*w and trust = LARSTrust; with
// exclude (BatchNorm parameters and biases) g' = g and trust = 1. Then
//
//	v = momentum*v + lr*trust*g';  w -= v
//
//	w (n) updated, g (n), v (n) updated
func LARSStep(w, g, v []float32, lr, momentum, weightDecay, eta float32, exclude bool) {
	trust := float32(1)
	wd := weightDecay
	if exclude {
		wd = 0
	} else {
		trust = float32(LARSTrust(w, g, wd, eta))
	}
	scaled := lr * trust
	for i := range w {
		gi := g[i] + wd*w[i]
		v[i] = momentum*v[i] + scaled*gi
		w[i] -= v[i]
	}
}

// AdamWStep is the reference of PyTorch's AdamW (amsgrad off):
//
//	w -= lr*wd*w;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
//	w -= lr * (m/(1-b1^step)) / (sqrt(v/(1-b2^step)) + eps)
//
//	w (n) updated, g (n), m (n) and v (n) moments updated; step >= 1.
//
// Bias corrections are computed in float64.
func AdamWStep(w, g, m, v []float32, lr, beta1, beta2, eps, weightDecay float32, step int) {
	bc1 := float32(1 - math.Pow(float64(beta1), float64(step)))
	bc2 := float32(1 - math.Pow(float64(beta2), float64(step)))
	decay := 1 - lr*weightDecay
	for i := range w {
		wi := w[i] * decay
		m[i] = beta1*m[i] + (1-beta1)*g[i]
		v[i] = beta2*v[i] + (1-beta2)*g[i]*g[i]
		mh := m[i] / bc1
		vh := v[i] / bc2
		w[i] = wi - lr*mh/(float32(math.Sqrt(float64(vh)))+eps)
	}
}

// SGDStep implements engine.Backend.
func (be *Backend) SGDStep(w, g, v *engine.Tensor, p engine.SGDParams) {
	const op = "SGDStep"
	engine.CheckBackend(op, be, w, g, v)
	engine.CheckSame(op, []string{"w", "g", "v"}, w, g, v)
	SGDStep(data(w), data(g), data(v), p.LR, p.Momentum, p.WeightDecay, p.Nesterov)
}

// LARSStep implements engine.Backend.
func (be *Backend) LARSStep(w, g, v *engine.Tensor, p engine.LARSParams) {
	const op = "LARSStep"
	engine.CheckBackend(op, be, w, g, v)
	engine.CheckSame(op, []string{"w", "g", "v"}, w, g, v)
	LARSStep(data(w), data(g), data(v), p.LR, p.Momentum, p.WeightDecay, p.Eta, p.Exclude)
}

// AdamWStep implements engine.Backend.
func (be *Backend) AdamWStep(w, g, m, v *engine.Tensor, p engine.AdamWParams) {
	const op = "AdamWStep"
	engine.CheckBackend(op, be, w, g, m, v)
	engine.CheckSame(op, []string{"w", "g", "m", "v"}, w, g, m, v)
	if p.Step < 1 {
		panic(fmt.Sprintf("engine: %s: step %d, want >= 1 (steps count from 1)", op, p.Step))
	}
	AdamWStep(data(w), data(g), data(m), data(v), p.LR, p.Beta1, p.Beta2, p.Eps, p.WeightDecay, p.Step)
}
