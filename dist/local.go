package dist

import (
	"fmt"
	"runtime"
	"sync"
)

// Local returns the n ranks of a world that lives in one process (one
// goroutine per rank, one machine: LocalRank == Rank). Its collectives have
// the real semantics: every call is a rendezvous of all n ranks, sums are
// taken in rank order (so every rank gets the same bits, run after run),
// and a call whose ranks disagree (another collective, other lengths,
// another root) returns an error naming the call and the cause on every
// rank instead of hanging. Abort makes every rank's pending and later calls
// fail and ends the calling goroutine (runtime.Goexit); it cannot end the
// process. Tests of the distributed math use it in place of MPI.
func Local(n int) []Comm {
	if n < 1 {
		panic(fmt.Sprintf("dist: Local(%d): a world needs at least one rank", n))
	}
	h := &hub{n: n, calls: make([]localCall, n), errs: make([]error, n)}
	h.cond = sync.NewCond(&h.mu)
	ranks := make([]Comm, n)
	for r := range ranks {
		ranks[r] = &localRank{h: h, rank: r}
	}
	return ranks
}

// localCall is one rank's side of a collective.
type localCall struct {
	op     string
	f32    []float32 // AllreduceSum buf, Allgather send
	recv   []float32 // Allgather recv
	f64    []float64 // AllreduceSum64 buf
	bytes  []byte    // Bcast buf
	root   int
	length int   // element count that must agree across ranks
	fail   error // this rank's own arguments are wrong: every rank gets it
}

// hub is the shared state of a Local world: calls of the current
// generation, the per-rank results the last arrival writes, and the abort.
type hub struct {
	n       int
	mu      sync.Mutex
	cond    *sync.Cond
	gen     uint64
	arrived int
	calls   []localCall
	errs    []error
	aborted error
}

type localRank struct {
	h    *hub
	rank int
}

func (l *localRank) Rank() int      { return l.rank }
func (l *localRank) Size() int      { return l.h.n }
func (l *localRank) LocalRank() int { return l.rank }
func (l *localRank) LocalSize() int { return l.h.n }

func (l *localRank) AllreduceSum(buf []float32) error {
	return l.do(localCall{op: "AllreduceSum", f32: buf, length: len(buf)})
}

func (l *localRank) AllreduceSum64(buf []float64) error {
	return l.do(localCall{op: "AllreduceSum64", f64: buf, length: len(buf)})
}

func (l *localRank) Allgather(send, recv []float32) error {
	if len(recv) != l.h.n*len(send) {
		// Still meet the others, so that they fail too instead of hanging.
		return l.do(localCall{op: "Allgather", length: len(send), fail: fmt.Errorf("dist: Allgather: rank %d's recv has %d elements, want %d (%d ranks x %d)", l.rank, len(recv), l.h.n*len(send), l.h.n, len(send))})
	}
	return l.do(localCall{op: "Allgather", f32: send, recv: recv, length: len(send)})
}

func (l *localRank) Bcast(buf []byte, root int) error {
	return l.do(localCall{op: "Bcast", bytes: buf, root: root, length: len(buf)})
}

func (l *localRank) Barrier() error { return l.do(localCall{op: "Barrier"}) }

func (l *localRank) Abort(code int) {
	h := l.h
	h.mu.Lock()
	if h.aborted == nil {
		h.aborted = fmt.Errorf("dist: rank %d aborted the job with code %d", l.rank, code)
	}
	h.cond.Broadcast()
	h.mu.Unlock()
	runtime.Goexit()
}

// do deposits this rank's call and waits for the generation to complete;
// the last rank to arrive checks the calls agree and carries out the
// collective for everyone.
func (l *localRank) do(c localCall) error {
	h := l.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.aborted != nil {
		return h.aborted
	}
	gen := h.gen
	h.calls[l.rank] = c
	h.arrived++
	if h.arrived == h.n {
		h.complete()
		h.arrived = 0
		h.gen++
		h.cond.Broadcast()
	} else {
		for h.gen == gen && h.aborted == nil {
			h.cond.Wait()
		}
		if h.gen == gen { // aborted while waiting
			return h.aborted
		}
	}
	err := h.errs[l.rank]
	h.errs[l.rank] = nil
	return err
}

// complete runs the collective of the current generation (h.mu held) and
// sets every rank's result.
func (h *hub) complete() {
	c0 := h.calls[0]
	var bad error
	for r, c := range h.calls {
		switch {
		case c.fail != nil:
			bad = c.fail
		case c.op != c0.op:
			bad = fmt.Errorf("dist: %s on rank 0 but %s on rank %d (collectives out of order)", c0.op, c.op, r)
		case c.length != c0.length:
			bad = fmt.Errorf("dist: %s: rank 0 has %d elements, rank %d has %d", c0.op, c0.length, r, c.length)
		case c.root != c0.root:
			bad = fmt.Errorf("dist: %s: rank 0 names root %d, rank %d names root %d", c0.op, c0.root, r, c.root)
		}
		if bad != nil {
			break
		}
	}
	if bad == nil && c0.op == "Bcast" && (c0.root < 0 || c0.root >= h.n) {
		bad = fmt.Errorf("dist: Bcast: root %d outside a world of %d", c0.root, h.n)
	}
	if bad != nil {
		for r := range h.errs {
			h.errs[r] = bad
		}
		return
	}
	switch c0.op {
	case "AllreduceSum":
		sumInto(h.calls, func(c localCall) []float32 { return c.f32 })
	case "AllreduceSum64":
		sumInto(h.calls, func(c localCall) []float64 { return c.f64 })
	case "Allgather":
		for _, dst := range h.calls {
			for r, src := range h.calls {
				copy(dst.recv[r*len(src.f32):], src.f32)
			}
		}
	case "Bcast":
		src := h.calls[c0.root].bytes
		for r, c := range h.calls {
			if r != c0.root {
				copy(c.bytes, src)
			}
		}
	}
}

// sumInto replaces every rank's buffer by the element-wise sum of all of
// them, added in rank order.
func sumInto[T float32 | float64](calls []localCall, buf func(localCall) []T) {
	first := buf(calls[0])
	sum := make([]T, len(first))
	for _, c := range calls {
		for i, v := range buf(c) {
			sum[i] += v
		}
	}
	for _, c := range calls {
		copy(buf(c), sum)
	}
}

// RunLocal runs f on each rank of Local(n), one goroutine each, and returns
// when every rank's f has returned: the in-process world of the tests.
func RunLocal(n int, f func(comm Comm)) {
	var wg sync.WaitGroup
	for _, c := range Local(n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(c)
		}()
	}
	wg.Wait()
}
