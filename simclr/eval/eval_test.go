package eval

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/simclr/knn"
)

func tinyModel(t *testing.T, b engine.Backend, channels int) *layers.Model {
	t.Helper()
	m, err := layers.NewModel(b, layers.Config{
		Encoder: layers.ResNetConfig{Arch: "resnet18", Stem: layers.StemCIFAR, Width: 1.0 / 16, InChannels: channels},
		Seed:    7,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Release)
	return m
}

func TestAccuracy(t *testing.T) {
	logits := []float32{
		0, 5, 1, 2, 3, 4, 6, // label 1: rank 1 (6 beats it)
		1, 1, 1, 1, 1, 1, 1, // label 3, ties: lower index first -> rank 3
		float32(math.NaN()), 0, 0, 0, 0, 0, 0, // label 0 NaN: ranks last
	}
	var a Accuracy
	a.Add(logits, []int{1, 3, 0}, 3, 7)
	if a.N != 3 || a.Correct1 != 0 || a.Correct5 != 2 {
		t.Errorf("%+v", a)
	}
	a.Add([]float32{0, 2, 1}, []int{1}, 1, 3)
	if a.Correct1 != 1 || math.Abs(a.Top1()-0.25) > 1e-12 {
		t.Errorf("%+v", a)
	}
}

// TestTrainLinearBlobs: Gaussian blobs are learnt to ~100 %; the same points
// with random labels stay near chance on held-out points.
func TestTrainLinearBlobs(t *testing.T) {
	b := cpu.New(cpu.Options{})
	const n, d, classes = 300, 13, 5
	rng := rand.New(rand.NewPCG(1, 2))
	centres := make([]float64, classes*d)
	for i := range centres {
		centres[i] = rng.NormFloat64() * 3
	}
	gen := func(n int, random bool) ([]float32, []int) {
		f, l := make([]float32, n*d), make([]int, n)
		for i := range n {
			c := rng.IntN(classes)
			for j := range d {
				f[i*d+j] = float32(centres[c*d+j] + rng.NormFloat64())
			}
			l[i] = c
			if random {
				l[i] = rng.IntN(classes)
			}
		}
		return f, l
	}
	cfg := LinearConfig{Epochs: 30, Batch: 64, Seed: 3}
	f, l := gen(n, false)
	tf, tl := gen(200, false)
	tr, te, loss, err := TrainLinear(b, f, l, n, d, classes, tf, tl, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Top1() < 0.97 || te.Top1() < 0.95 || loss > 0.2 {
		t.Errorf("separable blobs: train %.3f test %.3f loss %.3f", tr.Top1(), te.Top1(), loss)
	}
	f, l = gen(n, true)
	tf, tl = gen(200, true)
	_, te, _, err = TrainLinear(b, f, l, n, d, classes, tf, tl, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if te.Top1() > 0.35 {
		t.Errorf("random labels: test top-1 %.3f, chance is 0.2", te.Top1())
	}
}

func TestKNNAndLinearProbeSynthetic(t *testing.T) {
	b := cpu.New(cpu.Options{})
	m := tinyModel(t, b, 3)
	train := &synth{n: 160, c: 3, size: 8}
	test := &synth{n: 80, c: 3, size: 8, offset: 1000}
	size, err := CheckInput(layers.Config{}, 8, train, 0)
	if err != nil || size != 8 {
		t.Fatal(size, err)
	}
	var calls, last int
	r, err := KNN(m, train, test, ExtractOptions{Size: 8, Batch: 64, Progress: func(done, total int) { calls++; last = done; _ = total }}, knn.Options{K: 20})
	if err != nil {
		t.Fatal(err)
	}
	if r.Top1 < 0.95 || calls != 5 || last != 240 {
		t.Errorf("kNN separable: top-1 %.3f (progress calls %d, last %d)", r.Top1, calls, last)
	}
	res, err := LinearProbe(m, train, test, LinearConfig{Size: 8, Epochs: 20, Batch: 32, LR: 0.5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TestTop1 < 0.95 || res.TrainTop1 < 0.95 || res.HasTop5 || res.CacheBytes != 240*32*4 {
		t.Errorf("linear separable: %+v", res)
	}
	resAug, err := LinearProbe(m, train, test, LinearConfig{Size: 8, Epochs: 20, Batch: 32, LR: 0.5, Seed: 1, Aug: true})
	if err != nil {
		t.Fatal(err)
	}
	if resAug.TestTop1 < 0.9 || resAug.CacheBytes != 80*32*4 {
		t.Errorf("linear --aug separable: %+v", resAug)
	}

	rtrain := &synth{n: 160, c: 3, size: 8, randomLabels: true}
	rtest := &synth{n: 200, c: 3, size: 8, offset: 1000, randomLabels: true}
	r, err = KNN(m, rtrain, rtest, ExtractOptions{Size: 8, Batch: 64}, knn.Options{K: 20})
	if err != nil {
		t.Fatal(err)
	}
	res, err = LinearProbe(m, rtrain, rtest, LinearConfig{Size: 8, Epochs: 10, Batch: 32, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Top1 > 0.4 || res.TestTop1 > 0.4 {
		t.Errorf("random labels: kNN %.3f linear %.3f, chance is 0.25", r.Top1, res.TestTop1)
	}
}

func TestInputErrors(t *testing.T) {
	cfg := layers.Config{Encoder: layers.ResNetConfig{InChannels: 3}}
	gray := &synth{n: 4, c: 1, size: 8}
	if _, err := CheckInput(cfg, 0, gray, 0); err == nil || !strings.Contains(err.Error(), "1-channel images, the encoder takes 3") {
		t.Errorf("channels: %v", err)
	}
	rgb := &synth{n: 4, c: 3, size: 12}
	if _, err := CheckInput(cfg, 8, rgb, 0); err == nil || !strings.Contains(err.Error(), "12x12 images, the checkpoint was trained on 8x8: pass --image-size 8") {
		t.Errorf("size: %v", err)
	}
	if s, err := CheckInput(cfg, 8, rgb, 8); err != nil || s != 8 {
		t.Errorf("forced size: %d %v", s, err)
	}
	if s, err := CheckInput(cfg, 0, rgb, 0); err != nil || s != 12 {
		t.Errorf("unrecorded size: %d %v", s, err)
	}
	b := cpu.New(cpu.Options{})
	m := tinyModel(t, b, 3)
	unl := &synth{n: 4, c: 3, size: 8, unlabeled: true}
	if _, err := LinearProbe(m, unl, rgb, LinearConfig{Size: 8}); err == nil || !strings.Contains(err.Error(), "no labels (missing label file?)") {
		t.Errorf("unlabelled: %v", err)
	}
	if _, _, err := FineTune(m, rgb, unl, FineTuneConfig{Size: 8}); err == nil || !strings.Contains(err.Error(), "no labels") {
		t.Errorf("unlabelled test split: %v", err)
	}
	if _, _, err := FineTune(m, rgb, rgb, FineTuneConfig{Size: 8, FromStage: 6}); err == nil {
		t.Error("stage 6 accepted")
	}
}

func TestBalancedIndices(t *testing.T) {
	ds := &synth{n: 103, c: 3, size: 4}
	idx, err := BalancedIndices(ds, 0.1, 5)
	if err != nil {
		t.Fatal(err)
	}
	count := make([]int, synthClasses)
	for i, j := range idx {
		if i > 0 && idx[i-1] >= j {
			t.Fatal("not sorted and unique")
		}
		count[ds.Label(j)]++
	}
	// classes have 26, 26, 26, 25 images: round(2.6) = 3, round(2.5) = 3 (away from zero)
	for c, k := range count {
		if k != 3 {
			t.Errorf("class %d: %d images", c, k)
		}
	}
	again, _ := BalancedIndices(ds, 0.1, 5)
	other, _ := BalancedIndices(ds, 0.1, 6)
	if len(again) != len(idx) || again[0] != idx[0] || again[5] != idx[5] {
		t.Error("not deterministic")
	}
	same := true
	for i := range idx {
		same = same && idx[i] == other[i]
	}
	if same {
		t.Error("seed ignored")
	}
	tiny, _ := BalancedIndices(ds, 0.001, 5)
	if len(tiny) != synthClasses {
		t.Errorf("at least one per class: %v", tiny)
	}
	if _, err := BalancedIndices(ds, 0, 1); err == nil {
		t.Error("fraction 0 accepted")
	}
}

// TestStagedForwardMatchesFeatures: the fine-tuning forward with every
// stage frozen equals Features followed by the classifier, in float32 and
// bit for bit in mixed precision (the tuner's tapes set to the model's
// precision round where the model's own does: leaving the frozen tape in
// float32 fails, as does an unrounded input or pool); and with every
// stage trained (the training tape, training-mode batch norms) the pooled
// features are float16 values in mixed precision (in float32 they are
// not). With MixedStorageFloat16 both tapes' features are float16 tensors
// (the tapes take the model's storage too).
func TestStagedForwardMatchesFeatures(t *testing.T) {
	b := cpu.New(cpu.Options{})
	for _, c := range []struct {
		p layers.Precision
		s layers.MixedStorage
	}{{layers.PrecisionFP32, layers.MixedStorageAuto}, {layers.PrecisionMixed, layers.MixedStorageAuto}, {layers.PrecisionMixed, layers.MixedStorageFloat16}} {
		p := c.p
		m := tinyModel(t, b, 3)
		m.SetPrecision(p)
		m.SetMixedStorage(c.s)
		wantDType := engine.Float32
		if c.s == layers.MixedStorageFloat16 {
			wantDType = engine.Float16
		}
		fc := newFC(b, m.Encoder.FeatureDim(), 3, false, 1)
		defer fc.Release()
		pool := layers.NewPool(b)
		u := &tuner{m: m, fc: fc, from: Stages, pool: pool, ce: newCELoss(b),
			frozen: layers.NewTape(b, pool, false, false), train: layers.NewTape(b, pool, true, true)}
		u.setPrecision(m, 0)
		defer u.release()
		x := b.New(5, 3, 9, 9)
		defer x.Release()
		v := make([]float32, x.Numel())
		for i := range v {
			v[i] = float32(math.Sin(float64(i)))
		}
		b.Upload(x, v)
		if dt := u.featuresVar(x).Value.DType(); dt != wantDType {
			t.Errorf("%v storage %d: the frozen tape's features are %v, want %v", p, c.s, dt, wantDType)
		}
		u.train.Reset()
		u.frozen.Reset()
		got := make([]float32, 15)
		if err := b.Download(u.logitsVar(x).Value, got); err != nil {
			t.Fatal(err)
		}
		u.train.Reset()
		u.frozen.Reset()
		h := b.New(5, m.Encoder.FeatureDim())
		defer h.Release()
		if err := m.Features(h, x); err != nil {
			t.Fatal(err)
		}
		t2 := layers.NewTape(b, pool, false, false)
		t2.SetPrecisionOf(m)
		want := make([]float32, 15)
		if err := b.Download(t2.LossLinear(t2.Input(h), fc.Weight, fc.Bias).Value, want); err != nil {
			t.Fatal(err)
		}
		t2.Reset()
		for i := range want {
			if p == layers.PrecisionMixed && got[i] != want[i] || math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("%v: logit %d: staged %g, Features %g", p, i, got[i], want[i])
			}
		}
		u.from = 0
		hv := u.featuresVar(x)
		if dt := hv.Value.DType(); dt != wantDType {
			t.Errorf("%v storage %d: the training tape's features are %v, want %v", p, c.s, dt, wantDType)
		}
		feats := make([]float32, hv.Numel())
		if err := b.Download(hv.Value, feats); err != nil {
			t.Fatal(err)
		}
		u.train.Reset()
		half := 0
		for _, f := range feats {
			if engine.RoundFloat16(f) == f {
				half++
			}
		}
		if (half == len(feats)) != (p == layers.PrecisionMixed) {
			t.Errorf("%v: %d of %d pooled features on the training tape are float16 values", p, half, len(feats))
		}
	}
}

func download(t *testing.T, b engine.Backend, ps []*layers.Param) [][]float32 {
	t.Helper()
	var out [][]float32
	for _, p := range ps {
		v := make([]float32, p.Numel())
		if err := b.Download(p.Value, v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestFineTune: fine-tuning from stage 3 learns the separable classes and
// leaves stages 0-2 (parameters and running statistics) bit for bit alone.
func TestFineTune(t *testing.T) {
	b := cpu.New(cpu.Options{})
	m := tinyModel(t, b, 3)
	frozen := stageParams(m.Encoder, 0)
	nFrozen := len(frozen) - len(stageParams(m.Encoder, 3))
	before := download(t, b, frozen)
	var bufBefore [][]float32
	for _, bu := range m.Buffers() {
		if !bu.IsScalar() && strings.HasPrefix(bu.Name, "layer1.") {
			v := make([]float32, bu.Value.Numel())
			b.Download(bu.Value, v)
			bufBefore = append(bufBefore, v)
		}
	}
	train := &synth{n: 160, c: 3, size: 8}
	test := &synth{n: 80, c: 3, size: 8, offset: 1000}
	epochs := 0
	res, fc, err := FineTune(m, train, test, FineTuneConfig{LabelFraction: 0.25, FromStage: 3, Size: 8, Epochs: 20, Batch: 16, LR: 0.05, Seed: 2,
		Progress: func(e, _ int, loss, _ float64) { epochs = e }})
	if err != nil {
		t.Fatal(err)
	}
	if res.TestTop1 < 0.9 || res.LabeledN != 40 || epochs != 20 || math.IsNaN(res.FinalLoss) {
		t.Errorf("fine-tune: %+v", res)
	}
	if len(fc) != 2 || fc[0].Name != "fc.weight" || fc[0].Shape[0] != synthClasses || fc[1].Name != "fc.bias" {
		t.Errorf("classifier tensors: %+v", fc)
	}
	after := download(t, b, frozen)
	for i := range before {
		changed := false
		for j := range before[i] {
			changed = changed || math.Float32bits(before[i][j]) != math.Float32bits(after[i][j])
		}
		if i < nFrozen && changed {
			t.Errorf("frozen %s changed", frozen[i].Name)
		}
		if i >= nFrozen && !changed && strings.HasSuffix(frozen[i].Name, "conv1.weight") {
			t.Errorf("trained %s did not change", frozen[i].Name)
		}
	}
	k := 0
	for _, bu := range m.Buffers() {
		if !bu.IsScalar() && strings.HasPrefix(bu.Name, "layer1.") {
			v := make([]float32, bu.Value.Numel())
			b.Download(bu.Value, v)
			for j := range v {
				if v[j] != bufBefore[k][j] {
					t.Fatalf("frozen buffer %s changed", bu.Name)
				}
			}
			k++
		}
	}
}
