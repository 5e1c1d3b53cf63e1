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
