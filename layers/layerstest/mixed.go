package layerstest

import (
	"math"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/layers"
)

// MixedStep is one Step of a fresh model cfg on backend b at precision p
// (loss scale scale in mixed precision) on the n-image batch of
// RandomViews(11, ...) of hw x hw pixels; it returns the loss and every
// parameter's gradient, unscaled (UnscaleGrads).
func MixedStep(t testing.TB, b engine.Backend, cfg layers.Config, n, hw int, p layers.Precision, scale float32) (float32, [][]float32) {
	t.Helper()
	m := NewModel(t, b, cfg)
	defer m.Release()
	m.SetPrecision(p)
	m.SetLossScale(scale)
	ch := cfg.Encoder.InChannels
	x := Upload(b, RandomViews(11, n, ch, hw, hw, 0.3), 2*n, ch, hw, hw)
	defer x.Release()
	loss, _, err := m.Step(x, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	m.UnscaleGrads(scale)
	var g [][]float32
	for _, p := range m.Params() {
		g = append(g, Download(t, b, p.Grad))
	}
	return loss, g
}

// CloseSteps compares two MixedStep results: the losses within lossRel
// (relative), and the gradients of all the parameters together as one
// vector within rel in the L2 norm (||got - want|| <= rel ||want||). An
// element-wise bound would not do: float16 activations flip a few ReLU
// masks, and the convolutions before a batch norm have gradients that are
// small differences of large sums, so single elements move by a good part
// of their size while the gradient as a whole stays put. It returns the
// relative L2 difference.
func CloseSteps(t testing.TB, what string, lossGot, lossWant float32, got, want [][]float32, lossRel, rel float64) float64 {
	t.Helper()
	if d := math.Abs(float64(lossGot - lossWant)); d > lossRel*math.Abs(float64(lossWant)) || math.IsNaN(d) {
		t.Errorf("%s: loss %v, want %v (relative tolerance %g)", what, lossGot, lossWant, lossRel)
	}
	var dd, ww float64
	for i := range want {
		for j := range want[i] {
			d := float64(got[i][j]) - float64(want[i][j])
			dd += d * d
			ww += float64(want[i][j]) * float64(want[i][j])
		}
	}
	r := math.Sqrt(dd / ww)
	if !(r <= rel) {
		t.Errorf("%s: the gradients differ by %.3g of their L2 norm, want at most %g", what, r, rel)
	}
	return r
}
