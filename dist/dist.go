package dist

import "fmt"

// Comm is a communicator over Size() ranks, numbered 0..Size()-1. Every
// collective call must be made by every rank, in the same order, with
// buffers of the same length; a call returns an error naming the call and
// the cause rather than hanging where the implementation can tell.
type Comm interface {
	// Rank is this process's rank in the communicator.
	Rank() int
	// Size is the number of ranks (the world size).
	Size() int
	// LocalRank and LocalSize are the rank and the number of ranks on this
	// machine (node): a rank uses device LocalRank.
	LocalRank() int
	LocalSize() int
	// AllreduceSum replaces buf on every rank by the element-wise sum of
	// every rank's buf.
	AllreduceSum(buf []float32) error
	// AllreduceSum64 is AllreduceSum on float64 (batch-norm sums).
	AllreduceSum64(buf []float64) error
	// Allgather writes every rank's send into recv in rank order:
	// recv[r*len(send):(r+1)*len(send)] = send of rank r; len(recv) must be
	// Size()*len(send).
	Allgather(send, recv []float32) error
	// Bcast copies root's buf into every rank's buf.
	Bcast(buf []byte, root int) error
	// Barrier returns once every rank has called it.
	Barrier() error
	// Abort ends every rank of the job with the exit code (MPI_Abort); it
	// does not return.
	Abort(code int)
}

// Single is the world of one rank: every collective is the identity.
type Single struct{}

func (Single) Rank() int                          { return 0 }
func (Single) Size() int                          { return 1 }
func (Single) LocalRank() int                     { return 0 }
func (Single) LocalSize() int                     { return 1 }
func (Single) AllreduceSum(buf []float32) error   { return nil }
func (Single) AllreduceSum64(buf []float64) error { return nil }
func (Single) Barrier() error                     { return nil }
func (Single) Abort(code int) {
	panic(fmt.Sprintf("dist: abort with code %d in a single-rank world", code))
}

func (Single) Allgather(send, recv []float32) error {
	if len(recv) != len(send) {
		return fmt.Errorf("dist: Allgather: recv has %d elements, want %d", len(recv), len(send))
	}
	copy(recv, send)
	return nil
}

func (Single) Bcast(buf []byte, root int) error {
	if root != 0 {
		return fmt.Errorf("dist: Bcast: root %d outside a world of 1", root)
	}
	return nil
}

// AsyncAllreducer is implemented by a Comm that can run a gradient
// all-reduce while its caller goes on computing (MPI_Iallreduce): the
// data-parallel step starts a bucket's all-reduce as soon as its gradients
// are final and waits for it after the backward pass. Check for it with a
// type assertion on the Comm (the optional-interface pattern); a Comm
// without it is all-reduced with the blocking AllreduceSum. Every
// implementation in this package has it.
type AsyncAllreducer interface {
	// IallreduceSum starts replacing buf on every rank by the element-wise
	// sum of every rank's buf (AllreduceSum's result, bit for bit) and
	// returns at once. It counts as a collective at the point where it is
	// called: every rank must start it in the same order relative to its
	// other collectives, blocking ones included, which may be called while
	// it runs. buf must not be read or written until the request's Wait
	// has returned.
	IallreduceSum(buf []float32) (Request, error)
}

// Request is a started non-blocking collective.
type Request interface {
	// Wait returns when the collective is done on this rank (buf then holds
	// the result) with its error; later calls return the same error. Call
	// it from the goroutine that issues the rank's collectives: a rank
	// blocked in Wait issues no other collective meanwhile, which is what
	// keeps the ranks' orders equal.
	Wait() error
}

// doneRequest is a request that completed when it started.
type doneRequest struct{ err error }

func (r doneRequest) Wait() error { return r.err }

// IallreduceSum in a world of one is the identity, done at once.
func (Single) IallreduceSum(buf []float32) (Request, error) { return doneRequest{}, nil }
