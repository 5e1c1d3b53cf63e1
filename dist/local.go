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
// rank instead of hanging. IallreduceSum is really asynchronous: the sum
// is taken by whichever rank starts the collective last, possibly while
// the others compute (the race detector sees a buffer touched before
// Wait), and a rank may start further collectives before the others have
// caught up. Abort makes every rank's pending and later calls fail and
// ends the calling goroutine (runtime.Goexit); it cannot end the process.
// Tests of the distributed math use it in place of MPI.
func Local(n int) []Comm {
	if n < 1 {
		panic(fmt.Sprintf("dist: Local(%d): a world needs at least one rank", n))
	}
	h := &hub{n: n, queues: make([][]*localCall, n)}
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
	seq    uint64
	err    error // the result, set when generation seq completes
}

// hub is the shared state of a Local world: each rank's calls that wait
// for the others (queues[r][0] belongs to generation done), and the abort.
// A rank that starts collectives without waiting (IallreduceSum) may be
// several generations ahead of the others.
type hub struct {
	n       int
	mu      sync.Mutex
	cond    *sync.Cond
	done    uint64 // generations completed
	queues  [][]*localCall
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

// IallreduceSum starts AllreduceSum (the same op, so that a rank's blocking
// all-reduce matches another's non-blocking one, as in MPI where both sum
// alike).
func (l *localRank) IallreduceSum(buf []float32) (Request, error) {
	c, err := l.post(localCall{op: "AllreduceSum", f32: buf, length: len(buf)})
	if err != nil {
		return nil, err
	}
	return &localRequest{h: l.h, c: c}, nil
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

// do is a blocking collective: post, then wait.
func (l *localRank) do(c localCall) error {
	p, err := l.post(c)
	if err != nil {
		return err
	}
	return l.h.wait(p)
}

// post deposits this rank's next call; the rank whose call completes a
// generation (every rank has posted it) checks the calls agree and carries
// out the collective for everyone, and so on while generations are
// complete.
func (l *localRank) post(c localCall) (*localCall, error) {
	h := l.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.aborted != nil {
		return nil, h.aborted
	}
	p := &c
	p.seq = h.done + uint64(len(h.queues[l.rank]))
	h.queues[l.rank] = append(h.queues[l.rank], p)
	for h.ready() {
		heads := make([]*localCall, h.n)
		for r, q := range h.queues {
			heads[r], h.queues[r] = q[0], q[1:]
		}
		complete(heads, h.n)
		h.done++
		h.cond.Broadcast()
	}
	return p, nil
}

// ready reports whether every rank has posted generation done (h.mu held).
func (h *hub) ready() bool {
	for _, q := range h.queues {
		if len(q) == 0 {
			return false
		}
	}
	return true
}

// wait returns c's result once its generation has completed, or the abort.
func (h *hub) wait(c *localCall) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.done <= c.seq && h.aborted == nil {
		h.cond.Wait()
	}
	if h.done <= c.seq { // aborted while waiting
		return h.aborted
	}
	return c.err
}

// localRequest is a started Local IallreduceSum.
type localRequest struct {
	h *hub
	c *localCall
}

func (r *localRequest) Wait() error { return r.h.wait(r.c) }

// complete runs the collective of one generation, calls[r] being rank r's
// side (the hub's lock held), and sets every rank's result.
func complete(calls []*localCall, n int) {
	c0 := calls[0]
	var bad error
	for r, c := range calls {
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
	if bad == nil && c0.op == "Bcast" && (c0.root < 0 || c0.root >= n) {
		bad = fmt.Errorf("dist: Bcast: root %d outside a world of %d", c0.root, n)
	}
	if bad != nil {
		for _, c := range calls {
			c.err = bad
		}
		return
	}
	switch c0.op {
	case "AllreduceSum":
		sumInto(calls, func(c *localCall) []float32 { return c.f32 })
	case "AllreduceSum64":
		sumInto(calls, func(c *localCall) []float64 { return c.f64 })
	case "Allgather":
		for _, dst := range calls {
			for r, src := range calls {
				copy(dst.recv[r*len(src.f32):], src.f32)
			}
		}
	case "Bcast":
		src := calls[c0.root].bytes
		for r, c := range calls {
			if r != c0.root {
				copy(c.bytes, src)
			}
		}
	}
}

// sumInto replaces every rank's buffer by the element-wise sum of all of
// them, added in rank order.
func sumInto[T float32 | float64](calls []*localCall, buf func(*localCall) []T) {
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
