package knn

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine/cpu"
)

func newCPU() *cpu.Backend { return cpu.New(cpu.Options{}) }

func evaluate(t *testing.T, bank []float32, bl []int, test []float32, tl []int, dim, classes int, opt Options) Result {
	t.Helper()
	be := newCPU()
	defer be.Close()
	m, err := New(be, bank, bl, len(bl), dim, classes, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r, err := m.Evaluate(test, tl, len(tl))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Hand-computed: bank in 2-d, k = 2, T = 0.1.
//
//	0: (1, 0)  label 0     1: (0, 1) label 1
//	2: (1, 1)  label 1     3: (-1, 0) label 2
//
// test (1, 0):    sims 1, 0, .707, -1    -> top 2 {0, 2}: score0 e^10 > score1 e^7.07 -> 0
// test (0, 3):    sims 0, 1, .707, 0     -> top 2 {1, 2}: both class 1            -> 1
// test (-1, .2):  sims -.98, .196, -.555, .98 -> top 2 {3, 1}: e^9.8 (2) > e^1.96 (1) -> 2
func TestHandComputed(t *testing.T) {
	bank := []float32{1, 0, 0, 1, 1, 1, -1, 0}
	bl := []int{0, 1, 1, 2}
	test := []float32{1, 0, 0, 3, -1, 0.2}
	r := evaluate(t, bank, bl, test, []int{0, 1, 1}, 2, 3, Options{K: 2})
	if r.Pred[0] != 0 || r.Pred[1] != 1 || r.Pred[2] != 2 {
		t.Errorf("predictions %v, want [0 1 2]", r.Pred)
	}
	if r.Correct1 != 2 || math.Abs(r.Top1-2.0/3) > 1e-12 || r.HasTop5 {
		t.Errorf("result %+v", r)
	}
}

func TestTieBreaks(t *testing.T) {
	// Equal similarity: the lower bank index is kept (k = 1).
	bank := []float32{1, 0, 1, 0}
	r := evaluate(t, bank, []int{1, 0}, []float32{2, 0}, []int{1}, 2, 2, Options{K: 1})
	if r.Pred[0] != 1 {
		t.Errorf("neighbour tie: pred %d, want 1 (label of bank index 0)", r.Pred[0])
	}
	// Equal class scores: the lower class wins (k = 2).
	r = evaluate(t, bank, []int{1, 0}, []float32{2, 0}, []int{1}, 2, 2, Options{K: 2})
	if r.Pred[0] != 0 {
		t.Errorf("class tie: pred %d, want 0", r.Pred[0])
	}
}

// With k above the bank size every entry votes: with a large T the vote is
// nearly a majority, which flips the k = 1 answer.
func TestKLargerThanBank(t *testing.T) {
	bank := []float32{1, 0, 0, 1, 0.1, 1, -0.1, 1}
	bl := []int{0, 1, 1, 1}
	test := []float32{1, 0.05}
	if r := evaluate(t, bank, bl, test, []int{0}, 2, 2, Options{K: 1, T: 100}); r.Pred[0] != 0 {
		t.Errorf("k=1: pred %d, want 0", r.Pred[0])
	}
	if r := evaluate(t, bank, bl, test, []int{0}, 2, 2, Options{K: 200, T: 100}); r.Pred[0] != 1 {
		t.Errorf("k=200 > bank 4: pred %d, want 1", r.Pred[0])
	}
}

func clusters(rng *rand.Rand, n, dim, classes int, noise float64, centers [][]float64) ([]float32, []int) {
	x := make([]float32, n*dim)
	l := make([]int, n)
	for i := 0; i < n; i++ {
		c := i % classes
		l[i] = c
		for d := 0; d < dim; d++ {
			x[i*dim+d] = float32(centers[c][d] + noise*rng.NormFloat64())
		}
	}
	return x, l
}

func centers(rng *rand.Rand, classes, dim int) [][]float64 {
	cs := make([][]float64, classes)
	for c := range cs {
		cs[c] = make([]float64, dim)
		for d := range cs[c] {
			cs[c][d] = rng.NormFloat64()
		}
	}
	return cs
}

func TestSeparableClasses(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	dim, classes := 16, 10
	cs := centers(rng, classes, dim)
	bank, bl := clusters(rng, 300, dim, classes, 0.15, cs)
	test, tl := clusters(rng, 53, dim, classes, 0.15, cs)
	r := evaluate(t, bank, bl, test, tl, dim, classes, Options{})
	if r.Top1 < 0.95 || !r.HasTop5 || r.Top5 < r.Top1 || r.Top5 < 0.99 {
		t.Errorf("separable: top1 %.3f top5 %.3f (has %v), want >= 0.95 / 0.99", r.Top1, r.Top5, r.HasTop5)
	}
}

func TestRandomLabelsNearChance(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	dim, classes := 8, 4
	bank := make([]float32, 400*dim)
	test := make([]float32, 300*dim)
	for i := range bank {
		bank[i] = float32(rng.NormFloat64())
	}
	for i := range test {
		test[i] = float32(rng.NormFloat64())
	}
	bl, tl := make([]int, 400), make([]int, 300)
	for i := range bl {
		bl[i] = rng.Intn(classes)
	}
	for i := range tl {
		tl[i] = rng.Intn(classes)
	}
	r := evaluate(t, bank, bl, test, tl, dim, classes, Options{K: 20})
	if r.Top1 < 0.15 || r.Top1 > 0.35 || r.HasTop5 {
		t.Errorf("random labels: top1 %.3f, want near chance 0.25", r.Top1)
	}
}

// The engine path (chunked, with a short last chunk) matches the host
// reference exactly on predictions and top-5 membership.
func TestMatchesReferenceChunked(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	dim, classes, n, nTest := 13, 7, 127, 29
	cs := centers(rng, classes, dim)
	bank, bl := clusters(rng, n, dim, classes, 1.0, cs)
	test, tl := clusters(rng, nTest, dim, classes, 1.0, cs)
	be := newCPU()
	defer be.Close()
	opt := Options{K: 13, T: 0.1, MaxChunkBytes: 4 * n * 6} // 6 rows per chunk: 4 full + a tail of 5
	m, err := New(be, bank, bl, n, dim, classes, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if c := m.ChunkRows(nTest); c != 6 {
		t.Fatalf("chunk rows %d, want 6", c)
	}
	r, err := m.Evaluate(test, tl, nTest)
	if err != nil {
		t.Fatal(err)
	}
	pred, in5 := Reference(bank, bl, n, test, tl, nTest, dim, classes, 13, 0.1)
	c5 := 0
	for i := range pred {
		if r.Pred[i] != pred[i] {
			t.Errorf("test %d: pred %d, reference %d", i, r.Pred[i], pred[i])
		}
		if in5[i] {
			c5++
		}
	}
	if r.Correct5 != c5 {
		t.Errorf("top-5 correct %d, reference %d", r.Correct5, c5)
	}
	if r.Top1 <= 1.0/float64(classes) {
		t.Errorf("top1 %.3f not above chance on clustered data", r.Top1)
	}
	// Same answer in one chunk.
	r1 := evaluate(t, bank, bl, test, tl, dim, classes, Options{K: 13})
	for i := range pred {
		if r1.Pred[i] != r.Pred[i] {
			t.Errorf("test %d: one chunk %d, chunked %d", i, r1.Pred[i], r.Pred[i])
		}
	}
	// Every device tensor is returned: the bank on Close, the chunks at
	// the end of Evaluate.
	if st := be.MemStats(); st.Tensors != 1 {
		t.Errorf("%d tensors live after Evaluate, want 1 (the bank)", st.Tensors)
	}
	m.Close()
	if st := be.MemStats(); st.Tensors != 0 || st.InUse != 0 {
		t.Errorf("after Close: %+v", st)
	}
}

func TestSelectorIsPartialTopK(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	row := make([]float32, 1000)
	for i := range row {
		row[i] = float32(rng.Intn(50)) // many ties
	}
	row[17] = float32(math.NaN())
	got := newSelector(37).topK(row)
	if len(got) != 37 {
		t.Fatalf("%d selected", len(got))
	}
	// The k-th best under (sim desc, index asc) is the threshold.
	kept := map[int]bool{}
	for _, e := range got {
		kept[e.idx] = true
	}
	for j, v := range row {
		if v != v {
			if kept[j] {
				t.Error("NaN selected")
			}
			continue
		}
		better := 0
		for i, w := range row {
			if w == w && (w > v || (w == v && i < j)) {
				better++
			}
		}
		if (better < 37) != kept[j] {
			t.Fatalf("index %d (sim %v, %d better): kept %v", j, v, better, kept[j])
		}
	}
}

func TestErrors(t *testing.T) {
	be := newCPU()
	defer be.Close()
	if _, err := New(be, []float32{1, 2}, []int{0}, 1, 2, 1, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f      []float32
		l      []int
		n, d   int
		k      int
		expect string
	}{
		{[]float32{1, 2}, []int{0}, 1, 3, 2, "values"},
		{[]float32{1, 2}, []int{2}, 1, 2, 2, "outside"},
		{[]float32{1, 2}, []int{0, 1}, 1, 2, 2, "labels"},
		{nil, nil, 0, 2, 2, "positive"},
	} {
		if _, err := New(be, c.f, c.l, c.n, c.d, c.k, Options{}); err == nil || !strings.Contains(err.Error(), c.expect) {
			t.Errorf("New(%v, %v): %v, want %q", c.f, c.l, err, c.expect)
		}
	}
	m, _ := New(be, []float32{1, 0}, []int{0}, 1, 2, 1, Options{})
	if _, err := m.Evaluate([]float32{1}, []int{0}, 1); err == nil {
		t.Error("short test accepted")
	}
	m.Close()
	if _, err := m.Evaluate([]float32{1, 0}, []int{0}, 1); err == nil {
		t.Error("closed monitor evaluated")
	}
}
