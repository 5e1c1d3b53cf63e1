package knn

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"simclr-vk/engine"
)

// Options of the monitor; zero values mean the defaults.
type Options struct {
	K             int     // neighbours (default 200)
	T             float64 // temperature of the weights exp(sim/T) (default 0.1)
	MaxChunkBytes int     // bound on one similarity block (default 64 MiB)
}

func (o Options) withDefaults() Options {
	if o.K <= 0 {
		o.K = 200
	}
	if o.T <= 0 {
		o.T = 0.1
	}
	if o.MaxChunkBytes <= 0 {
		o.MaxChunkBytes = 64 << 20
	}
	return o
}

// Result of an evaluation.
type Result struct {
	N        int     // test samples
	Correct1 int     // label == prediction
	Correct5 int     // label among the 5 best classes (0 when !HasTop5)
	Top1     float64 // Correct1 / N
	Top5     float64 // Correct5 / N when HasTop5
	HasTop5  bool    // classes > 5
	Pred     []int   // prediction per test sample
}

// Monitor holds the normalised bank on an engine.
type Monitor struct {
	be      engine.Backend
	bank    *engine.Tensor // (n, dim), unit rows
	labels  []int
	n, dim  int
	classes int
	opt     Options
}

func checkLabels(what string, labels []int, n, classes int) error {
	if len(labels) != n {
		return fmt.Errorf("knn: %s: %d labels for %d features", what, len(labels), n)
	}
	for i, l := range labels {
		if l < 0 || l >= classes {
			return fmt.Errorf("knn: %s: label %d of sample %d outside [0, %d)", what, l, i, classes)
		}
	}
	return nil
}

// New uploads bank features (n, dim) with their labels in [0, classes) and
// normalises them on be. Errors from the engine (out of memory) are
// returned.
func New(be engine.Backend, features []float32, labels []int, n, dim, classes int, opt Options) (*Monitor, error) {
	if n <= 0 || dim <= 0 || classes <= 0 {
		return nil, fmt.Errorf("knn: bank size %d, dim %d, classes %d must be positive", n, dim, classes)
	}
	if len(features) != n*dim {
		return nil, fmt.Errorf("knn: bank has %d values, want %d x %d", len(features), n, dim)
	}
	if err := checkLabels("bank", labels, n, classes); err != nil {
		return nil, err
	}
	x := be.New(n, dim)
	norm := be.New(n)
	bank := be.New(n, dim)
	defer x.Release()
	defer norm.Release()
	if err := be.Err(); err != nil {
		bank.Release()
		return nil, fmt.Errorf("knn: bank (%d x %d): %w", n, dim, err)
	}
	be.Upload(x, features)
	be.L2NormalizeForward(bank, norm, x, n, dim)
	if err := be.Flush(); err != nil {
		bank.Release()
		return nil, fmt.Errorf("knn: normalise bank: %w", err)
	}
	return &Monitor{be: be, bank: bank, labels: append([]int(nil), labels...), n: n, dim: dim, classes: classes, opt: opt.withDefaults()}, nil
}

// Close releases the bank.
func (m *Monitor) Close() {
	if m.bank != nil {
		m.bank.Release()
		m.bank = nil
	}
}

// ChunkRows is the number of test rows per similarity block.
func (m *Monitor) ChunkRows(nTest int) int {
	c := m.opt.MaxChunkBytes / (4 * m.n)
	return max(1, min(c, nTest))
}

// chunkBufs are the device tensors for one chunk height.
type chunkBufs struct {
	rows          int
	x, y, norm, s *engine.Tensor
}

func (m *Monitor) newBufs(rows int) *chunkBufs {
	return &chunkBufs{rows: rows, x: m.be.New(rows, m.dim), y: m.be.New(rows, m.dim), norm: m.be.New(rows), s: m.be.New(rows, m.n)}
}

func (c *chunkBufs) release() {
	if c == nil {
		return
	}
	c.x.Release()
	c.y.Release()
	c.norm.Release()
	c.s.Release()
}

// Evaluate classifies test features (nTest, dim) and scores them against
// labels.
func (m *Monitor) Evaluate(features []float32, labels []int, nTest int) (Result, error) {
	if m.bank == nil {
		return Result{}, errors.New("knn: monitor is closed")
	}
	if nTest <= 0 || len(features) != nTest*m.dim {
		return Result{}, fmt.Errorf("knn: test has %d values, want %d x %d", len(features), nTest, m.dim)
	}
	if err := checkLabels("test", labels, nTest, m.classes); err != nil {
		return Result{}, err
	}
	k := min(m.opt.K, m.n)
	rows := m.ChunkRows(nTest)
	full := m.newBufs(rows)
	defer full.release()
	var tail *chunkBufs
	defer func() { tail.release() }()
	if err := m.be.Err(); err != nil {
		return Result{}, fmt.Errorf("knn: chunk buffers (%d rows x %d): %w", rows, m.n, err)
	}

	res := Result{N: nTest, HasTop5: m.classes > 5, Pred: make([]int, nTest)}
	sims := make([]float32, rows*m.n)
	in5 := make([]bool, nTest)
	for start := 0; start < nTest; start += rows {
		r := min(rows, nTest-start)
		b := full
		if r != rows {
			if tail == nil {
				tail = m.newBufs(r)
			}
			b = tail
		}
		m.be.Upload(b.x, features[start*m.dim:(start+r)*m.dim])
		m.be.L2NormalizeForward(b.y, b.norm, b.x, r, m.dim)
		m.be.Gemm(false, true, r, m.n, m.dim, 1, b.y, m.bank, 0, b.s)
		if err := m.be.Download(b.s, sims[:r*m.n]); err != nil {
			return Result{}, fmt.Errorf("knn: similarities of test rows %d..%d: %w", start, start+r, err)
		}
		m.classifyRows(sims[:r*m.n], labels[start:start+r], res.Pred[start:start+r], in5[start:start+r], k)
	}
	for i, p := range res.Pred {
		if p == labels[i] {
			res.Correct1++
		}
		if res.HasTop5 && in5[i] {
			res.Correct5++
		}
	}
	res.Top1 = float64(res.Correct1) / float64(nTest)
	if res.HasTop5 {
		res.Top5 = float64(res.Correct5) / float64(nTest)
	}
	return res, nil
}

// classifyRows selects the neighbours and votes for each similarity row,
// rows split over GOMAXPROCS goroutines.
func (m *Monitor) classifyRows(sims []float32, labels, pred []int, in5 []bool, k int) {
	rows := len(labels)
	workers := min(runtime.GOMAXPROCS(0), rows)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := rows*w/workers, rows*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			sel := newSelector(k)
			scores := make([]float64, m.classes)
			for i := lo; i < hi; i++ {
				for c := range scores {
					scores[c] = 0
				}
				for _, e := range sel.topK(sims[i*m.n : (i+1)*m.n]) {
					scores[m.labels[e.idx]] += math.Exp(float64(e.sim) / m.opt.T)
				}
				var ahead int
				pred[i], ahead = Rank(scores, labels[i])
				in5[i] = ahead < 5
			}
		}()
	}
	wg.Wait()
}

// Rank returns the best class of scores (the lowest index among equal
// scores) and the number of classes ranked ahead of label under the same
// tie-break: a higher score, or an equal score and a lower index. label is
// in the top k iff ahead < k. A NaN score of label ranks it last. The kNN
// monitor and eval's classifier accuracy both score with it.
func Rank[S float32 | float64](scores []S, label int) (best, ahead int) {
	s := scores[label]
	if s != s {
		ahead = len(scores)
	}
	for c, v := range scores {
		if v > scores[best] {
			best = c
		}
		if v > s || (v == s && c < label) {
			ahead++
		}
	}
	return best, ahead
}

type neighbour struct {
	sim float32
	idx int
}

// worse orders neighbours: lower similarity is worse; at equal similarity
// the higher bank index is worse.
func worse(a, b neighbour) bool {
	if a.sim != b.sim {
		return a.sim < b.sim
	}
	return a.idx > b.idx
}

// selector keeps the k best neighbours in a binary heap with the worst at
// the root (hand-written: container/heap's interface calls dominated).
type selector struct {
	k int
	h []neighbour
}

func newSelector(k int) *selector { return &selector{k: k, h: make([]neighbour, 0, k)} }

func (s *selector) up(i int) {
	h := s.h
	for i > 0 {
		p := (i - 1) / 2
		if !worse(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (s *selector) down(i int) {
	h, n := s.h, len(s.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && worse(h[r], h[l]) {
			c = r
		}
		if !worse(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// topK returns the k best entries of row (unordered), under the order
// (similarity descending, bank index ascending). NaN similarities never
// enter the selection. Entries are scanned in index order, so an entry
// equal to the worst kept one never replaces it.
func (s *selector) topK(row []float32) []neighbour {
	s.h = s.h[:0]
	for j, v := range row {
		if v != v {
			continue
		}
		if len(s.h) < s.k {
			s.h = append(s.h, neighbour{v, j})
			s.up(len(s.h) - 1)
		} else if v > s.h[0].sim {
			s.h[0] = neighbour{v, j}
			s.down(0)
		}
	}
	return s.h
}

// Reference is the plain host kNN: float64 normalisation and similarities,
// a full stable sort per test row, the same tie-breaks as Monitor. bank (n,
// dim), test (nTest, dim). It returns the prediction and the top-5 flag per
// test row.
func Reference(bank []float32, bankLabels []int, n int, test []float32, testLabels []int, nTest, dim, classes, k int, t float64) (pred []int, in5 []bool) {
	normalise := func(x []float32, rows int) [][]float64 {
		out := make([][]float64, rows)
		for r := range out {
			row := x[r*dim : (r+1)*dim]
			s := 0.0
			for _, v := range row {
				s += float64(v) * float64(v)
			}
			nr := math.Max(math.Sqrt(s), 1e-12)
			out[r] = make([]float64, dim)
			for j, v := range row {
				out[r][j] = float64(v) / nr
			}
		}
		return out
	}
	b, q := normalise(bank, n), normalise(test, nTest)
	k = min(k, n)
	pred, in5 = make([]int, nTest), make([]bool, nTest)
	for i := range q {
		type nbr struct {
			sim float64
			idx int
		}
		all := make([]nbr, n)
		for j := range b {
			s := 0.0
			for d := 0; d < dim; d++ {
				s += q[i][d] * b[j][d]
			}
			all[j] = nbr{s, j}
		}
		sort.SliceStable(all, func(x, y int) bool { return all[x].sim > all[y].sim })
		scores := make([]float64, classes)
		for _, e := range all[:k] {
			scores[bankLabels[e.idx]] += math.Exp(e.sim / t)
		}
		order := make([]int, classes)
		for c := range order {
			order[c] = c
		}
		sort.SliceStable(order, func(x, y int) bool { return scores[order[x]] > scores[order[y]] })
		pred[i] = order[0]
		for _, c := range order[:min(5, classes)] {
			if c == testLabels[i] {
				in5[i] = true
			}
		}
	}
	return pred, in5
}
