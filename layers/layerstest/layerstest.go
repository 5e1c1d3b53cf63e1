package layerstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
)

// TinyConfig is the network the gradient, Vulkan and memory tests share:
// ResNet width 1/16 (4, 8, 16, 32 channels) and a head with every option
// that changes the backward (hidden BN, biases, last BN without beta).
func TinyConfig(arch string, stem layers.Stem) layers.Config {
	return layers.Config{
		Encoder: layers.ResNetConfig{Arch: arch, Stem: stem, Width: 1.0 / 16, InChannels: 3},
		Head:    layers.HeadConfig{Layers: 3, Hidden: 24, Out: 16, LastBN: true},
		Seed:    7,
	}
}

// NewModel builds a model, failing the test on error.
func NewModel(t testing.TB, b engine.Backend, cfg layers.Config) *layers.Model {
	t.Helper()
	m, err := layers.NewModel(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// RandomViews returns 2n views of n random images (c, h, w): view i+n is
// view i plus noise, so the positives are related.
func RandomViews(seed uint64, n, c, h, w int, noise float64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 3))
	per := c * h * w
	x := make([]float32, 2*n*per)
	for i := 0; i < n*per; i++ {
		x[i] = float32(rng.NormFloat64())
	}
	for i := 0; i < n*per; i++ {
		x[n*per+i] = x[i] + float32(noise*rng.NormFloat64())
	}
	return x
}

// Upload and Download are the conformance suite's helpers (allocate a
// tensor holding data; read one back, failing the test on error).
var (
	Upload   = conformance.Upload
	Download = conformance.Download
)

// MemoryAcrossSteps runs training steps and checks that the device memory
// of step k+1 (InUse after it, live tensor count, and from step 2 on Peak
// during it) is not larger than that of step k, and that releasing everything frees it all.
func MemoryAcrossSteps(t testing.TB, b engine.Backend) {
	base := b.MemStats()
	m := NewModel(t, b, TinyConfig("resnet18", layers.StemCIFAR))
	opt, err := optim.New(b, m.Params(), optim.DefaultConfig(optim.LARS))
	if err != nil {
		t.Fatal(err)
	}
	x := Upload(b, RandomViews(1, 4, 3, 8, 8, 0.3), 8, 3, 8, 8)
	var prev engine.MemStats
	for k := 0; k < 4; k++ {
		b.ResetPeak()
		if _, _, err := m.Step(x, 0.5); err != nil {
			t.Fatal(err)
		}
		opt.Step(0.1)
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		s := b.MemStats()
		t.Logf("step %d: in use %d B, peak %d B, %d tensors, pool %d B", k, s.InUse, s.Peak, s.Tensors, m.PoolBytes())
		// Peak from step 2 on: the pool fills during step 0, so a buffer
		// it first allocates after step 0's peak is held (idle) through
		// step 1's, which may exceed step 0's by such buffers without any
		// new allocation (InUse and Tensors show none).
		if k > 0 && (s.InUse > prev.InUse || (k > 1 && s.Peak > prev.Peak) || s.Tensors > prev.Tensors) {
			t.Errorf("step %d uses more memory than step %d: %+v after %+v", k, k-1, s, prev)
		}
		prev = s
	}
	// Eval-mode features reuse the same pool.
	h := b.New(8, m.Encoder.FeatureDim())
	if err := m.Features(h, x); err != nil {
		t.Fatal(err)
	}
	h.Release()
	x.Release()
	opt.Release()
	m.Release()
	if s := b.MemStats(); s.Tensors != base.Tensors || s.InUse != base.InUse {
		t.Errorf("after Release: %d tensors, %d B in use; before the model: %d, %d", s.Tensors, s.InUse, base.Tensors, base.InUse)
	}
}

// TrainSmoke trains the tiny network for a few dozen steps on a synthetic
// dataset (16 random images; each step draws a batch of 8 and two noisy
// views of each) and requires the NT-Xent loss to fall clearly.
func TrainSmoke(t testing.TB, b engine.Backend) {
	losses := SmokeLosses(t, b, layers.PrecisionFP32, 1)
	first := mean(losses[:5])
	last := mean(losses[len(losses)-5:])
	if !(last < first-0.2) {
		t.Errorf("loss did not fall clearly: first 5 steps %.4f, last 5 %.4f", first, last)
	}
}

// SmokeLosses is TrainSmoke's run at precision p with the fixed loss
// scale scale (the gradients unscaled before each SGD step): the losses of
// its steps.
func SmokeLosses(t testing.TB, b engine.Backend, p layers.Precision, scale float32) []float32 {
	m := NewModel(t, b, layers.Config{
		Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1.0 / 16, InChannels: 3},
		Head:    layers.HeadConfig{Out: 32},
		Seed:    3,
	})
	defer m.Release()
	m.SetPrecision(p)
	m.SetLossScale(scale)
	cfg := optim.DefaultConfig(optim.SGD)
	cfg.WeightDecay = 1e-4
	opt, err := optim.New(b, m.Params(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer opt.Release()
	const n, c, hw, images, steps = 8, 3, 8, 16, 40
	data := RandomViews(21, images, c, hw, hw, 0)[:images*c*hw*hw]
	noise := RandomViews(22, steps*n, c, hw, hw, 0)
	x := b.New(2*n, c, hw, hw)
	defer x.Release()
	per := c * hw * hw
	buf := make([]float32, 2*n*per)
	var losses []float32
	for s := 0; s < steps; s++ {
		for i := 0; i < n; i++ {
			img := data[((s*n+i)%images)*per:][:per]
			for v := 0; v < 2; v++ {
				dst := buf[(v*n+i)*per:][:per]
				nz := noise[((2*s+v)*n+i)%(steps*n)*per:][:per]
				for j := range dst {
					dst[j] = img[j] + 0.3*nz[j]
				}
			}
		}
		b.Upload(x, buf)
		loss, top1, err := m.Step(x, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		m.UnscaleGrads(scale)
		opt.Step(0.05)
		losses = append(losses, loss)
		if s%10 == 0 || s == steps-1 {
			t.Logf("%s step %d: loss %.4f top1 %.2f", p, s, loss, top1)
		}
	}
	return losses
}

func mean(v []float32) float32 {
	s := float32(0)
	for _, x := range v {
		s += x
	}
	return s / float32(len(v))
}

// closeTol compares with atol = rel * max(largest |want|, floor), rtol =
// rel: the tiny BN network amplifies float32 reassociation differences by up
// to 1/sqrt(eps) in channels with (near) zero variance, so elementwise
// relative errors are meaningless for small entries; floor covers tensors
// that are zero in exact arithmetic (the gradient of a bias followed by BN).
func closeTol(t testing.TB, what string, got, want []float32, rel, floor float64) {
	t.Helper()
	conformance.Close(t, what, got, want, conformance.Tol{Atol: rel * math.Max(maxAbs(want), floor), Rtol: rel})
}

// closeUpdates compares what training did to each parameter, after minus
// before (got, gotInit against want, wantInit), with atol = rel * the
// tensor's largest wanted update: LARS moves conv and linear weights by
// about 1e-5 of their size in a few steps at the tests' small rate, far
// inside closeTol's 3e-3 of the largest value, so only the update shows
// whether those gradients were right after the first step. floor (of
// the tensor's largest initial value) keeps tensors whose update is zero
// in exact arithmetic (a bias followed by BN) from comparing rounding.
func closeUpdates(t testing.TB, what string, got, gotInit, want, wantInit []float32, rel, floor float64) {
	t.Helper()
	du, dw := make([]float32, len(got)), make([]float32, len(want))
	for i := range got {
		du[i] = got[i] - gotInit[i]
	}
	for i := range want {
		dw[i] = want[i] - wantInit[i]
	}
	conformance.Close(t, what, du, dw, conformance.Tol{Atol: rel * math.Max(maxAbs(dw), floor*maxAbs(wantInit)), Rtol: rel})
}

func maxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

// MatchesReference runs the same tiny network (same seed, so the same
// initial weights) on backend d and on the reference backend c (the CPU)
// and requires the same loss, the same gradient for every parameter, the
// same BN running statistics, the same parameters after 3 LARS steps and
// the same eval-mode features. The network is TinyConfig's ResNet-18 with
// the CIFAR stem on 3 images of 8x8 (6 views).
func MatchesReference(t testing.TB, c, d engine.Backend) {
	MatchesReferenceConfig(t, c, d, TinyConfig("resnet18", layers.StemCIFAR), 3, 8, 3)
}

// MatchesReferenceConfig is MatchesReference for the model cfg on n images
// of hw x hw pixels (2n views) with the given number of LARS steps. The
// tiny networks are very sensitive (BN parameter gradients ~10-1000 at
// batch 6), so float32 differences of step k change step k+1 visibly: deep
// ones (ResNet-50) are compared over 1 step.
func MatchesReferenceConfig(t testing.TB, c, d engine.Backend, cfg layers.Config, n, hw, steps int) {
	ch := cfg.Encoder.InChannels
	// The tiny BN network is very sensitive (gradients of BN
	// parameters ~10-100), so a small rate keeps the two runs from
	// drifting apart; the loss tolerance grows after the first step
	// because float32 differences of step k change step k+1's weights.
	const lr = 0.01
	mc, mv := NewModel(t, c, cfg), NewModel(t, d, cfg)
	defer mc.Release()
	defer mv.Release()
	oc, err := optim.New(c, mc.Params(), optim.DefaultConfig(optim.LARS))
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Release()
	ov, err := optim.New(d, mv.Params(), optim.DefaultConfig(optim.LARS))
	if err != nil {
		t.Fatal(err)
	}
	defer ov.Release()
	xs := RandomViews(11, n, ch, hw, hw, 0.3)
	xc, xv := Upload(c, xs, 2*n, ch, hw, hw), Upload(d, xs, 2*n, ch, hw, hw)
	defer xc.Release()
	defer xv.Release()
	pc, pv := mc.Params(), mv.Params()
	for i := range pc {
		conformance.Close(t, "initial "+pc[i].Name, Download(t, d, pv[i].Value), Download(t, c, pc[i].Value), conformance.Tol{})
	}
	for s := 0; s < steps; s++ {
		lc, tc, err := mc.Step(xc, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		lv, tv, err := mv.Step(xv, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("step %d: loss %.6f (reference) %.6f (%s), top1 %.3f %.3f", s, lc, lv, d.Name(), tc, tv)
		tol := 1e-4
		if s > 0 {
			tol = 1e-3
		}
		if math.Abs(float64(lc-lv)) > tol*(1+math.Abs(float64(lc))) {
			t.Errorf("step %d: loss %v on %s, %v on the reference", s, lv, d.Name(), lc)
		}
		if s == 0 {
			gc := make([][]float32, len(pc))
			gmax := 0.0
			for i := range pc {
				gc[i] = Download(t, c, pc[i].Grad)
				gmax = math.Max(gmax, maxAbs(gc[i]))
			}
			for i := range pc {
				closeTol(t, "gradient of "+pc[i].Name, Download(t, d, pv[i].Grad), gc[i], 2e-3, 1e-3*gmax)
			}
			bc, bv := mc.Buffers(), mv.Buffers()
			for i := range bc {
				if bc[i].IsScalar() {
					if bc[i].Count != bv[i].Count {
						t.Errorf("%s: %d on %s, %d on the reference", bc[i].Name, bv[i].Count, d.Name(), bc[i].Count)
					}
					continue
				}
				closeTol(t, bc[i].Name, Download(t, d, bv[i].Value), Download(t, c, bc[i].Value), 1e-4, 0)
			}
		}
		oc.Step(lr)
		ov.Step(lr)
	}
	for i := range pc {
		// 3e-3 of the largest value: a real GPU's reduction order differs
		// more from the CPU's than lavapipe's (docs/performance.md, P10);
		// a wrong update is O(1) off.
		closeTol(t, fmt.Sprintf("after %d LARS steps: %s", steps, pc[i].Name), Download(t, d, pv[i].Value), Download(t, c, pc[i].Value), 3e-3, 0)
	}
	h := []*engine.Tensor{c.New(2*n, mc.Encoder.FeatureDim()), d.New(2*n, mv.Encoder.FeatureDim())}
	if err := mc.Features(h[0], xc); err != nil {
		t.Fatal(err)
	}
	if err := mv.Features(h[1], xv); err != nil {
		t.Fatal(err)
	}
	closeTol(t, "eval-mode features", Download(t, d, h[1]), Download(t, c, h[0]), 1e-3, 0)
	h[0].Release()
	h[1].Release()
}
