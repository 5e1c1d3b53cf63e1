package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine"
)

func TestSGDStepVsFloat64(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, p := range []engine.SGDParams{{LR: 0.1}, {LR: 0.1, Momentum: 0.9}, {LR: 0.03, Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true}, {LR: 0.5, Momentum: 0.5, WeightDecay: 0.1}} {
		t.Run(fmt.Sprintf("%+v", p), func(t *testing.T) {
			n := 13
			w, g, v := randRange(rng, n, -1, 1), randRange(rng, n, -1, 1), randRange(rng, n, -1, 1)
			w64, g64, v64 := to64(w), to64(g), to64(v)
			g0 := append([]float32(nil), g...)
			SGDStep(w, g, v, p.LR, p.Momentum, p.WeightDecay, p.Nesterov)
			lr, m, wd := float64(p.LR), float64(p.Momentum), float64(p.WeightDecay)
			for i := range w64 {
				gi := g64[i] + wd*w64[i]
				v64[i] = m*v64[i] + gi
				step := v64[i]
				if p.Nesterov {
					step = gi + m*v64[i]
				}
				w64[i] -= lr * step
			}
			checkClose64(t, "w", w, w64, 1e-7, 1e-6)
			checkClose64(t, "v", v, v64, 1e-7, 1e-6)
			checkClose64(t, "g unchanged", g, to64(g0), 0, 0)
		})
	}
}

// lars64 is the SimCLR LARS step in float64.
func lars64(w, g, v []float64, lr, m, wd, eta float64, exclude bool) {
	if exclude {
		wd = 0
	}
	gp := make([]float64, len(g))
	ww, gg := 0.0, 0.0
	for i := range g {
		gp[i] = g[i] + wd*w[i]
		ww += w[i] * w[i]
		gg += gp[i] * gp[i]
	}
	trust := 1.0
	if !exclude && ww > 0 && gg > 0 {
		trust = eta * math.Sqrt(ww) / math.Sqrt(gg)
	}
	for i := range w {
		v[i] = m*v[i] + lr*trust*gp[i]
		w[i] -= v[i]
	}
}

func TestLARSStepVsFloat64(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, c := range []struct {
		name         string
		n            int
		exclude      bool
		zeroW, zeroG bool
	}{{"adapted", 1027, false, false, false}, {"excluded", 13, true, false, false}, {"zero_w", 13, false, true, false}, {"zero_g", 5, false, false, true}, {"one", 1, false, false, false}} {
		t.Run(c.name, func(t *testing.T) {
			lr, m, wd, eta := float32(1.2), float32(0.9), float32(1e-4), float32(1e-3)
			w, g, v := randRange(rng, c.n, -1, 1), randRange(rng, c.n, -0.01, 0.01), randRange(rng, c.n, -0.01, 0.01)
			if c.zeroW {
				clear(w)
			}
			if c.zeroG {
				clear(g)
				wd = 0
			}
			w64, g64, v64 := to64(w), to64(g), to64(v)
			LARSStep(w, g, v, lr, m, wd, eta, c.exclude)
			lars64(w64, g64, v64, float64(lr), float64(m), float64(wd), float64(eta), c.exclude)
			checkClose64(t, "w", w, w64, 1e-7, 1e-6)
			checkClose64(t, "v", v, v64, 1e-9, 1e-5)
		})
	}
}

// TestLARSTrustAndExclusion checks the update by hand on w = (3, 4).
func TestLARSTrustAndExclusion(t *testing.T) {
	// Adapted: g' = (0, 1) + 0.5*(3, 4) = (1.5, 3); trust = 0.1 * 5 / sqrt(11.25).
	w, g, v := []float32{3, 4}, []float32{0, 1}, []float32{0, 0}
	LARSStep(w, g, v, 2, 0.9, 0.5, 0.1, false)
	tr := 0.1 * 5 / math.Sqrt(11.25)
	checkClose64(t, "adapted v", v, []float64{2 * tr * 1.5, 2 * tr * 3}, 1e-7, 1e-6)
	checkClose64(t, "adapted w", w, []float64{3 - 2*tr*1.5, 4 - 2*tr*3}, 1e-7, 1e-6)
	// Excluded: no weight decay, trust 1: v = lr*g.
	w, v = []float32{3, 4}, []float32{0, 0}
	LARSStep(w, g, v, 2, 0.9, 0.5, 0.1, true)
	checkClose64(t, "excluded v", v, []float64{0, 2}, 0, 0)
	checkClose64(t, "excluded w", w, []float64{3, 2}, 0, 0)
	// Zero weights: trust 1, g' = g.
	w, v = []float32{0, 0}, []float32{1, 1}
	LARSStep(w, g, v, 2, 0.5, 0.5, 0.1, false)
	checkClose64(t, "zero-w v", v, []float64{0.5, 2.5}, 0, 0)
	if tr := LARSTrust([]float32{1, 1}, []float32{0, 0}, 0, 0.1); tr != 1 {
		t.Errorf("zero-gradient trust %v, want 1", tr)
	}
}

func TestAdamWStepVsFloat64(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, step := range []int{1, 2, 10, 1000} {
		t.Run(fmt.Sprintf("step%d", step), func(t *testing.T) {
			n := 31
			// The float32 parameters, exactly (1 - float32(0.999) is not 1e-3).
			f := func(x float64) float64 { return float64(float32(x)) }
			lr, b1, b2, eps, wd := f(1e-3), f(0.9), f(0.999), f(1e-8), f(0.05)
			w, g := randRange(rng, n, -1, 1), randRange(rng, n, -1, 1)
			m, v := randRange(rng, n, -0.1, 0.1), randRange(rng, n, 0, 0.01)
			if step == 1 {
				clear(m)
				clear(v)
			}
			w64, g64, m64, v64 := to64(w), to64(g), to64(m), to64(v)
			AdamWStep(w, g, m, v, float32(lr), float32(b1), float32(b2), float32(eps), float32(wd), step)
			for i := range w64 {
				w64[i] -= lr * wd * w64[i]
				m64[i] = b1*m64[i] + (1-b1)*g64[i]
				v64[i] = b2*v64[i] + (1-b2)*g64[i]*g64[i]
				mh := m64[i] / (1 - math.Pow(b1, float64(step)))
				vh := v64[i] / (1 - math.Pow(b2, float64(step)))
				w64[i] -= lr * mh / (math.Sqrt(vh) + eps)
			}
			checkClose64(t, "w", w, w64, 1e-7, 1e-6)
			checkClose64(t, "m", m, m64, 1e-8, 1e-5)
			checkClose64(t, "v", v, v64, 1e-10, 1e-5)
		})
	}
}

func TestOptimPanics(t *testing.T) {
	be := New(Options{})
	checkPanics(t, "engine: SGDStep: v", func() { be.SGDStep(be.New(3), be.New(3), be.New(4), engine.SGDParams{}) })
	checkPanics(t, "engine: LARSStep: g", func() { be.LARSStep(be.New(3), be.New(2), be.New(3), engine.LARSParams{}) })
	checkPanics(t, "engine: AdamWStep: step 0", func() { be.AdamWStep(be.New(3), be.New(3), be.New(3), be.New(3), engine.AdamWParams{}) })
}
