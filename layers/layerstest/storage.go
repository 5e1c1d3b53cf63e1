package layerstest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/layers"
)

// StorageCase is a short mixed-precision training run that StorageRun
// repeats with each layers.MixedStorage: Steps steps of SGD on N images
// (2N views of HW x HW pixels, new views each step) at loss scale Scale,
// with BNGroups BN groups (the batch-norm-in-parts path) or micro-batch
// Micro (gradient caching), then the eval-mode features and the
// training-mode projection of the last batch (with Steps 0, of the first
// batch from the initial weights, the gradients untouched).
type StorageCase struct {
	Name            string
	Cfg             layers.Config
	N, HW, Steps    int
	BNGroups, Micro int
	Scale           float32
	// Mutate, when set, changes the model before the steps (e.g. a
	// network of its own whose output has the head's width).
	Mutate func(*layers.Model)
}

// StorageResult is what StorageRun downloads: the loss of every step and,
// after the steps, every parameter's last gradient (unscaled), the state
// dict (parameters and BN running statistics), the features and the
// projection, named; Stored is Model.Float16Stored.
type StorageResult struct {
	Losses []float32
	Names  []string
	Values [][]float32
	Stored bool
}

// StorageRun runs c on backend b in mixed precision with storage s.
func StorageRun(t testing.TB, b engine.Backend, c StorageCase, s layers.MixedStorage) StorageResult {
	t.Helper()
	m := NewModel(t, b, c.Cfg)
	defer m.Release()
	m.SetPrecision(layers.PrecisionMixed)
	m.SetMixedStorage(s)
	m.SetLossScale(c.Scale)
	if err := m.SetParallel(layers.Parallel{BNGroups: c.BNGroups}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetMicroBatch(c.Micro); err != nil {
		t.Fatal(err)
	}
	if c.Mutate != nil {
		c.Mutate(m)
	}
	ch := c.Cfg.Encoder.InChannels
	var r StorageResult
	r.Stored = m.Float16Stored()
	var x *engine.Tensor
	for k := 0; k < c.Steps; k++ {
		if x != nil {
			x.Release()
		}
		x = Upload(b, RandomViews(uint64(20+k), c.N, ch, c.HW, c.HW, 0.3), 2*c.N, ch, c.HW, c.HW)
		loss, _, err := m.Step(x, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		r.Losses = append(r.Losses, loss)
		m.UnscaleGrads(c.Scale)
		for _, p := range m.Params() {
			b.Axpy(p.Value, -0.05, p.Grad)
		}
	}
	if x == nil { // Steps 0: the fixed weights' features and projection
		x = Upload(b, RandomViews(20, c.N, ch, c.HW, c.HW, 0.3), 2*c.N, ch, c.HW, c.HW)
	}
	defer x.Release()
	add := func(name string, v *engine.Tensor) {
		r.Names = append(r.Names, name)
		r.Values = append(r.Values, Download(t, b, v))
	}
	for _, p := range m.Params() {
		add(p.Name+" grad", p.Grad)
	}
	for _, s := range m.State() {
		if s.Tensor != nil {
			add(s.Name, s.Tensor)
		}
	}
	h := b.New(2*c.N, m.Encoder.FeatureDim())
	defer h.Release()
	if err := m.Features(h, x); err != nil {
		t.Fatal(err)
	}
	add("features", h)
	z := b.New(2*c.N, m.Head.OutDim())
	defer z.Release()
	if err := m.Project(z, x); err != nil {
		t.Fatal(err)
	}
	add("projection", z)
	return r
}

// StorageRuns runs c on b with the emulation (MixedStorageRound) and
// then with storage s, and fails the test unless only the second stores
// float16 tensors (Model.Float16Stored: the two took different paths) and
// the emulation's run is finite (else: choose a smaller loss scale).
func StorageRuns(t testing.TB, b engine.Backend, c StorageCase, s layers.MixedStorage) (emu, got StorageResult) {
	t.Helper()
	emu = StorageRun(t, b, c, layers.MixedStorageRound)
	got = StorageRun(t, b, c, s)
	if emu.Stored || !got.Stored {
		t.Fatalf("Float16Stored: %v with MixedStorageRound, %v with MixedStorage %d; want false, true", emu.Stored, got.Stored, s)
	}
	if k := emu.NonFinite(); k > 0 {
		t.Fatalf("the emulation's run has %d Inf or NaN values: choose a smaller loss scale", k)
	}
	return emu, got
}

// NonFinite counts the Inf and NaN values among r's losses and values
// (a run that overflowed compares little).
func (r StorageResult) NonFinite() int {
	n := 0
	for _, v := range append([][]float32{r.Losses}, r.Values...) {
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				n++
			}
		}
	}
	return n
}

// StorageBitsEqual reports every difference in the bits of got's losses
// and values from want's (nil when they are identical).
func StorageBitsEqual(got, want StorageResult) []string {
	var d []string
	for i := range want.Losses {
		if math.Float32bits(got.Losses[i]) != math.Float32bits(want.Losses[i]) {
			d = append(d, fmt.Sprintf("step %d loss %v, want %v", i, got.Losses[i], want.Losses[i]))
		}
	}
	for i, w := range want.Values {
		n, first := 0, -1
		for j := range w {
			if math.Float32bits(got.Values[i][j]) != math.Float32bits(w[j]) {
				if n++; first < 0 {
					first = j
				}
			}
		}
		if n > 0 {
			d = append(d, fmt.Sprintf("%s: %d of %d values differ (first [%d] %v, want %v)", want.Names[i], n, len(w), first, got.Values[i][first], w[first]))
		}
	}
	return d
}

// StorageGroups are the groups StorageDistances measures.
var StorageGroups = []string{"loss", "gradients", "state", "features", "projection"}

// StorageDistances is the relative distance of got from want per group:
// the largest relative loss difference over the steps, and the relative
// L2 distance ||got - want|| / ||want|| over all the parameter gradients
// together, over the state dict (parameters and running statistics), the
// features and the projection. One vector a group, not a tensor each: a
// BN bias's gradient, a small difference of large sums, moves by a good
// part of its size with float16 noise while the whole stays put.
func StorageDistances(got, want StorageResult) map[string]float64 {
	r := map[string]float64{"loss": 0}
	for i, w := range want.Losses {
		r["loss"] = max(r["loss"], math.Abs(float64(got.Losses[i]-w))/math.Abs(float64(w)))
	}
	dd, ww := map[string]float64{}, map[string]float64{}
	for i, w := range want.Values {
		g := storageGroup(want.Names[i])
		for j := range w {
			e := float64(got.Values[i][j]) - float64(w[j])
			dd[g] += e * e
			ww[g] += float64(w[j]) * float64(w[j])
		}
	}
	for g := range ww {
		r[g] = math.Sqrt(dd[g] / ww[g])
	}
	return r
}

// StepPeak is the device memory a training step of a fresh model cfg
// takes on b at precision p with storage s (N images of HW x HW pixels,
// loss scale 256): the high-water mark of MemStats.InUse during the
// second step (the first fills the pool) above what was in use before
// the model was built, so parameters, gradients, the pool and the step's
// activations.
func StepPeak(t testing.TB, b engine.Backend, cfg layers.Config, n, hw int, p layers.Precision, s layers.MixedStorage) int64 {
	t.Helper()
	ch := cfg.Encoder.InChannels
	x := Upload(b, RandomViews(3, n, ch, hw, hw, 0.3), 2*n, ch, hw, hw)
	defer x.Release()
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	base := b.MemStats().InUse
	m := NewModel(t, b, cfg)
	defer m.Release()
	m.SetPrecision(p)
	m.SetMixedStorage(s)
	m.SetLossScale(256)
	var peak int64
	for k := 0; k < 2; k++ {
		b.ResetPeak()
		if _, _, err := m.Step(x, 0.5); err != nil {
			t.Fatal(err)
		}
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		peak = b.MemStats().Peak - base
	}
	return peak
}

// Only is r with the values whose names keep accepts (the losses kept).
func (r StorageResult) Only(keep func(name string) bool) StorageResult {
	o := StorageResult{Losses: r.Losses, Stored: r.Stored}
	for i, n := range r.Names {
		if keep(n) {
			o.Names, o.Values = append(o.Names, n), append(o.Values, r.Values[i])
		}
	}
	return o
}

// StorageULPs is, per group of StorageDistances, the largest difference of
// got from want in float16 units in the last place of want's value (the
// spacing of float16 values at its magnitude, 2^-24 at least) and the
// number of values that differ at all. For values that should agree but
// for an occasional last-place flip: a bound of a few units catches a
// float16 value rounded twice, which the relative L2 distance of a whole
// group hides. The loss counts in float32 units of the last place.
func StorageULPs(got, want StorageResult) (ulps map[string]float64, differ map[string]int) {
	ulps, differ = map[string]float64{}, map[string]int{}
	for i, w := range want.Losses {
		if d := math.Abs(float64(got.Losses[i] - w)); d > 0 {
			differ["loss"]++
			ulps["loss"] = max(ulps["loss"], d/float64(math.Nextafter32(w, float32(math.Inf(1)))-w))
		}
	}
	for i, w := range want.Values {
		g := storageGroup(want.Names[i])
		for j, v := range w {
			d := math.Abs(float64(got.Values[i][j]) - float64(v))
			if d == 0 {
				continue
			}
			_, exp := math.Frexp(float64(v))
			differ[g]++
			ulps[g] = max(ulps[g], d/math.Ldexp(1, max(exp-1, -14)-10))
		}
	}
	return ulps, differ
}

// storageGroup is the StorageGroups group of a StorageResult value name.
func storageGroup(name string) string {
	switch {
	case strings.HasSuffix(name, " grad"):
		return "gradients"
	case name == "features" || name == "projection":
		return name
	}
	return "state"
}
