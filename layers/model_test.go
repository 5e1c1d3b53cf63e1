package layers_test

import (
	"testing"

	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// TestFeaturesEvalMode: Features uses the running statistics, so each
// image's features are independent of the rest of the batch, and it changes
// no buffer; Step (training mode) updates running stats and counters.
func TestFeaturesEvalMode(t *testing.T) {
	b := cpu.New(cpu.Options{})
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	x := upload(b, randomViews(2, 3, 3, 8, 8, 0.3), 6, 3, 8, 8)
	for i := 0; i < 3; i++ { // move the running statistics away from (0, 1)
		if _, _, err := m.Step(x, 0.5); err != nil {
			t.Fatal(err)
		}
	}
	for _, buf := range m.Buffers() {
		if buf.IsScalar() && buf.Count != 3 {
			t.Errorf("%s = %d after 3 steps, want 3", buf.Name, buf.Count)
		}
	}
	snapshot := func() [][]float32 {
		var s [][]float32
		for _, buf := range m.Buffers() {
			if !buf.IsScalar() {
				s = append(s, download(t, b, buf.Value))
			}
		}
		return s
	}
	before := snapshot()
	d := m.Encoder.FeatureDim()
	h := b.New(6, d)
	defer h.Release()
	if err := m.Features(h, x); err != nil {
		t.Fatal(err)
	}
	all := download(t, b, h)
	xs := download(t, b, x)
	one := b.New(1, d)
	defer one.Release()
	per := 3 * 8 * 8
	for i := 0; i < 6; i++ {
		xi := upload(b, xs[i*per:(i+1)*per], 1, 3, 8, 8)
		if err := m.Features(one, xi); err != nil {
			t.Fatal(err)
		}
		xi.Release()
		conformance.Close(t, "features of image alone vs in batch", download(t, b, one), all[i*d:(i+1)*d], conformance.Tol{Atol: 1e-5, Rtol: 1e-4})
	}
	after := snapshot()
	for i := range before {
		conformance.Close(t, "running statistics after Features", after[i], before[i], conformance.Tol{})
	}
	for _, buf := range m.Buffers() {
		if buf.IsScalar() && buf.Count != 3 {
			t.Errorf("%s = %d after Features, want 3", buf.Name, buf.Count)
		}
	}
	// Training mode depends on the batch: the same check must fail there.
	z := b.New(6, m.Head.OutDim())
	defer z.Release()
	if err := m.Project(z, x); err != nil {
		t.Fatal(err)
	}
	zs := download(t, b, z)
	z2 := b.New(2, m.Head.OutDim())
	defer z2.Release()
	x2 := upload(b, xs[:2*per], 2, 3, 8, 8)
	defer x2.Release()
	if err := m.Project(z2, x2); err != nil {
		t.Fatal(err)
	}
	same := true
	for i, v := range download(t, b, z2) {
		if v != zs[i] {
			same = false
		}
	}
	if same {
		t.Error("training-mode projection of 2 images equals that within a batch of 6: batch statistics unused?")
	}
}

// TestModelStateNames: encoder names come first, the head's follow, and
// every parameter appears once.
func TestModelStateNames(t *testing.T) {
	b := cpu.New(cpu.Options{})
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	st := m.State()
	if st[0].Name != "conv1.weight" || st[len(st)-1].Name != "head.7.num_batches_tracked" {
		t.Errorf("state runs from %s to %s", st[0].Name, st[len(st)-1].Name)
	}
	seen := map[string]bool{}
	for _, s := range st {
		if seen[s.Name] {
			t.Errorf("duplicate name %s", s.Name)
		}
		seen[s.Name] = true
	}
	if len(m.Params())+len(m.Buffers()) != len(st) {
		t.Errorf("%d params + %d buffers != %d state entries", len(m.Params()), len(m.Buffers()), len(st))
	}
}

// TestMatchesReferenceCPU runs the cross-backend comparison (what
// layers/vulkancheck runs on Vulkan) between two CPU configurations: pure-Go
// GEMM on one thread against OpenBLAS on all threads.
func TestMatchesReferenceCPU(t *testing.T) {
	layerstest.MatchesReference(t, cpu.New(cpu.Options{}), cpu.New(cpu.Options{Threads: 1, NoBLAS: true}))
}
