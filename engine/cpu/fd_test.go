package cpu

import "testing"

// fdGrad returns d(sum_i f(x)_i * g_i)/dx by central differences of f,
// summing in float64; f must be (piecewise) smooth at x within eps.
func fdGrad(x []float32, g []float32, eps float64, f func(x []float32) []float32) []float64 {
	loss := func(xs []float32) float64 {
		y := f(xs)
		s := 0.0
		for i, v := range y {
			s += float64(v) * float64(g[i])
		}
		return s
	}
	grad := make([]float64, len(x))
	xs := append([]float32(nil), x...)
	for i := range x {
		xs[i] = float32(float64(x[i]) + eps)
		lp := loss(xs)
		xs[i] = float32(float64(x[i]) - eps)
		lm := loss(xs)
		xs[i] = x[i]
		grad[i] = (lp - lm) / (2 * eps)
	}
	return grad
}

// fdGrad64 returns df/dp by central differences of step h, perturbing p in
// place (f reads p) and restoring it.
func fdGrad64(p []float64, h float64, f func() float64) []float64 {
	out := make([]float64, len(p))
	for i := range p {
		old := p[i]
		p[i] = old + h
		fp := f()
		p[i] = old - h
		fm := f()
		p[i] = old
		out[i] = (fp - fm) / (2 * h)
	}
	return out
}

// checkGrad compares an analytic gradient with a finite-difference one.
func checkGrad(t *testing.T, what string, got []float32, want []float64, atol, rtol float64) {
	t.Helper()
	w32 := make([]float32, len(want))
	for i, v := range want {
		w32[i] = float32(v)
	}
	checkClose(t, what, got, w32, atol, rtol)
}
