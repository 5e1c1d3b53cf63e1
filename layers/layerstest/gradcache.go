package layerstest

import (
	"fmt"
	"math"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
)

// ChunkedMatchesGroups trains TinyConfig's ResNet-18 (CIFAR stem) for
// steps LARS steps on n images of hw x hw in chunks of mb (SetMicroBatch,
// mb dividing n) and, from the same weights, unchunked with BN groups of mb
// images (Parallel.BNGroups = n/mb: each chunk's statistics), and returns
// every mismatch: loss and top-1 of each step (1e-4 relative at step 0,
// 1e-3 later), every gradient after the first step (2e-3 of the largest
// entry) and every parameter after the last (3e-3 of the largest entry),
// and its update (2e-2 of the largest update, closeUpdates),
// MatchesReference's tolerances (the two runs differ by float summation
// order only). The running statistics are not compared: the chunked step
// moves them once per chunk, the grouped one once towards the groups'
// average (ChunkedRunningStats checks them).
func ChunkedMatchesGroups(t testing.TB, b engine.Backend, n, mb, hw, steps int) []string {
	t.Helper()
	xs := RandomViews(13, n, 3, hw, hw, 0.3)
	type run struct {
		loss, top1          []float32
		grads, params, init [][]float32
	}
	train := func(chunked bool) run {
		m := NewModel(t, b, TinyConfig("resnet18", layers.StemCIFAR))
		defer m.Release()
		var err error
		if chunked {
			err = m.SetMicroBatch(mb)
		} else {
			err = m.SetParallel(layers.Parallel{BNGroups: n / mb})
		}
		if err != nil {
			t.Fatal(err)
		}
		opt, err := optim.New(b, m.Params(), optim.DefaultConfig(optim.LARS))
		if err != nil {
			t.Fatal(err)
		}
		defer opt.Release()
		x := Upload(b, xs, 2*n, 3, hw, hw)
		defer x.Release()
		var r run
		for _, p := range m.Params() {
			r.init = append(r.init, Download(t, b, p.Value))
		}
		for s := 0; s < steps; s++ {
			loss, top1, err := m.Step(x, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			r.loss, r.top1 = append(r.loss, loss), append(r.top1, top1)
			if s == 0 {
				for _, p := range m.Params() {
					r.grads = append(r.grads, Download(t, b, p.Grad))
				}
			}
			opt.Step(0.01)
		}
		for _, p := range m.Params() {
			r.params = append(r.params, Download(t, b, p.Value))
		}
		return r
	}
	ref, got := train(false), train(true)
	rec := &recorder{TB: t}
	for s := range ref.loss {
		tol := 1e-4
		if s > 0 {
			tol = 1e-3
		}
		if math.Abs(float64(got.loss[s]-ref.loss[s])) > tol*(1+math.Abs(float64(ref.loss[s]))) {
			rec.Errorf("step %d: loss %v in chunks of %d, %v unchunked with BN groups", s, got.loss[s], mb, ref.loss[s])
		}
		if math.Abs(float64(got.top1[s]-ref.top1[s])) > 1e-6 {
			rec.Errorf("step %d: top-1 %v in chunks of %d, %v unchunked with BN groups", s, got.top1[s], mb, ref.top1[s])
		}
	}
	gmax := 0.0
	for _, g := range ref.grads {
		gmax = math.Max(gmax, maxAbs(g))
	}
	for i, g := range ref.grads {
		closeTol(rec, fmt.Sprintf("gradient %d", i), got.grads[i], g, 2e-3, 1e-3*gmax)
	}
	for i, p := range ref.params {
		closeTol(rec, fmt.Sprintf("parameter %d after %d LARS steps", i, steps), got.params[i], p, 3e-3, 0)
		closeUpdates(rec, fmt.Sprintf("update of parameter %d by %d LARS steps", i, steps), got.params[i], got.init[i], p, ref.init[i], 2e-2, 1e-5)
	}
	t.Logf("%d images in chunks of %d: loss %v (BN groups %v), %d mismatches", n, mb, got.loss, ref.loss, len(rec.msgs))
	return rec.msgs
}

// ChunkedRunningStats checks that a chunked step (n images in chunks of
// mb) moves the BN running statistics once per chunk: exactly as a
// training-mode forward of each chunk in turn (Model.Project) does on a
// twin model, with num_batches_tracked counting the chunks. A first pass
// that updated them too would move them twice per chunk.
func ChunkedRunningStats(t testing.TB, b engine.Backend, n, mb, hw int) {
	t.Helper()
	xs := RandomViews(14, n, 3, hw, hw, 0.3)
	cfg := TinyConfig("resnet18", layers.StemCIFAR)
	m, twin := NewModel(t, b, cfg), NewModel(t, b, cfg)
	defer m.Release()
	defer twin.Release()
	if err := m.SetMicroBatch(mb); err != nil {
		t.Fatal(err)
	}
	x := Upload(b, xs, 2*n, 3, hw, hw)
	defer x.Release()
	if _, _, err := m.Step(x, 0.5); err != nil {
		t.Fatal(err)
	}
	per := 3 * hw * hw
	chunks := 0
	for lo := 0; lo < n; lo += mb {
		k := min(mb, n-lo)
		part := append(append([]float32(nil), xs[lo*per:(lo+k)*per]...), xs[(n+lo)*per:(n+lo+k)*per]...)
		xc := Upload(b, part, 2*k, 3, hw, hw)
		z := b.New(2*k, cfg.Head.Out)
		if err := twin.Project(z, xc); err != nil {
			t.Fatal(err)
		}
		xc.Release()
		z.Release()
		chunks++
	}
	got, want := m.Buffers(), twin.Buffers()
	for i := range got {
		if got[i].IsScalar() {
			if got[i].Count != want[i].Count || got[i].Count != int64(chunks) {
				t.Errorf("%s: %d after a step in %d chunks, want %d", got[i].Name, got[i].Count, chunks, chunks)
			}
			continue
		}
		closeTol(t, got[i].Name+" after a chunked step (against each chunk's forward in turn)", Download(t, b, got[i].Value), Download(t, b, want[i].Value), 1e-5, 0)
	}
}

// ChunkedMemory returns the device memory (MemStats.Peak above what was
// in use before, pool included) of a first chunked training step from the
// host (Model.StepHost, the training loop's path) on n images of hw x hw
// in chunks of mb, from a new model and an empty pool.
func ChunkedMemory(t testing.TB, b engine.Backend, n, mb, hw int) int64 {
	t.Helper()
	m := NewModel(t, b, TinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	if err := m.SetMicroBatch(mb); err != nil {
		t.Fatal(err)
	}
	views := RandomViews(15, n, 3, hw, hw, 0.3)
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	base := b.MemStats().InUse
	b.ResetPeak()
	if _, _, err := m.StepHost(views, [4]int{2 * n, 3, hw, hw}, 0.5); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.MemStats().Peak - base
}

// ChunkedMemoryBounded requires a step on 8*mb images in chunks of mb to
// peak below 1.3x the memory of a step on mb images: the activations held
// are one chunk's, not the batch's; also with a last chunk of one image
// (8*mb+1 images).
func ChunkedMemoryBounded(t testing.TB, b engine.Backend, mb, hw int) {
	t.Helper()
	one := ChunkedMemory(t, b, mb, mb, hw)
	eight := ChunkedMemory(t, b, 8*mb, mb, hw)
	ragged := ChunkedMemory(t, b, 8*mb+1, mb, hw)
	whole := ChunkedMemory(t, b, 8*mb, 0, hw)
	t.Logf("peak above the model: %d B at %d images, %d B at %d images in chunks of %d, %d B at %d, %d B unchunked", one, mb, eight, 8*mb, mb, ragged, 8*mb+1, whole)
	for _, c := range []struct {
		n    int
		peak int64
	}{{8 * mb, eight}, {8*mb + 1, ragged}} {
		if float64(c.peak) >= 1.3*float64(one) {
			t.Errorf("a step on %d images in chunks of %d peaks at %d B, not below 1.3x the %d B of a step on %d images", c.n, mb, c.peak, one, mb)
		}
	}
}
