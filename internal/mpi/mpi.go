//go:build mpi

package mpi

/*
#include <stdlib.h>
#include <mpi.h>

// The handles are macros (addresses of globals in Open MPI, integers in
// MPICH); functions hide the difference from cgo.
static MPI_Comm simclr_comm_world(void) { return MPI_COMM_WORLD; }
static MPI_Comm simclr_comm_null(void) { return MPI_COMM_NULL; }
static MPI_Datatype simclr_float(void) { return MPI_FLOAT; }
static MPI_Datatype simclr_double(void) { return MPI_DOUBLE; }
static MPI_Datatype simclr_byte(void) { return MPI_BYTE; }
static MPI_Op simclr_sum(void) { return MPI_SUM; }
static void *simclr_in_place(void) { return MPI_IN_PLACE; }

static int simclr_init(int *provided) {
	return MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, provided);
}
static int simclr_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

static int simclr_split_shared(MPI_Comm comm, int key, MPI_Comm *local) {
	return MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, key, MPI_INFO_NULL, local);
}
static int simclr_errors_return(MPI_Comm comm) {
	return MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
}

// simclr_error_string writes MPI_Error_string's text for code into buf
// (MPI_MAX_ERROR_STRING bytes).
static void simclr_error_string(int code, char *buf) {
	int n = 0;
	if (MPI_Error_string(code, buf, &n) != MPI_SUCCESS) n = 0;
	buf[n < MPI_MAX_ERROR_STRING ? n : MPI_MAX_ERROR_STRING - 1] = 0;
}
static int simclr_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Comm is MPI_COMM_WORLD of an initialised MPI, with its node-local
// (shared-memory) split. Make it with Init; end it with Finalize.
type Comm struct {
	rank, size           int
	localRank, localSize int

	// mu serialises the calls handed to the MPI thread; closed is set
	// (under mu) by Finalize and read without it by Abort.
	mu     sync.Mutex
	closed atomic.Bool
	work   chan func()

	// Used only on the MPI thread (and by Abort, which reads world).
	world, local C.MPI_Comm
	stop         bool
	active       []*Request // started IallreduceSums not seen complete
}

var (
	initMu   sync.Mutex
	initDone bool
)

// Init initialises MPI (MPI_Init_thread, MPI_THREAD_FUNNELED) on a
// dedicated OS thread and returns the world. MPI can be initialised once
// per process: a second call is an error.
func Init() (*Comm, error) {
	initMu.Lock()
	defer initMu.Unlock()
	if initDone {
		return nil, errors.New("mpi: Init called twice (MPI can be initialised once per process)")
	}
	initDone = true
	// Buffered: IallreduceSum queues its call without waiting for the MPI
	// thread to take it.
	c := &Comm{work: make(chan func(), 64)}
	ready := make(chan error)
	go c.loop(ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return c, nil
}

// loop is the MPI thread: it initialises MPI, then runs the work handed to
// it until Finalize.
func (c *Comm) loop(ready chan<- error) {
	// Never unlocked: the thread ends with this goroutine, after Finalize.
	runtime.LockOSThread()
	if err := c.start(); err != nil {
		ready <- err
		return
	}
	ready <- nil
	poll := time.NewTimer(pollMax)
	delay := pollMin
	for {
		var f func()
		if len(c.active) == 0 {
			f = <-c.work
		} else {
			select {
			case f = <-c.work:
			case <-poll.C:
				// Nothing queued: drive the outstanding requests (Open
				// MPI's non-blocking collectives advance only inside MPI
				// calls), testing more rarely while nothing completes.
				if c.progress() {
					delay = pollMin
				} else {
					delay = min(2*delay, pollMax)
				}
				poll.Reset(delay)
				continue
			}
		}
		f()
		if c.stop {
			return
		}
		if len(c.active) > 0 {
			c.progress()
			delay = pollMin
			poll.Reset(delay)
		}
	}
}

func (c *Comm) start() error {
	var provided C.int
	if rc := C.simclr_init(&provided); rc != C.MPI_SUCCESS {
		return callError("MPI_Init_thread", rc)
	}
	c.world = C.simclr_comm_world()
	if provided < C.simclr_thread_funneled() {
		C.MPI_Finalize()
		return fmt.Errorf("mpi: MPI_Init_thread: this %s provides thread level %d, below MPI_THREAD_FUNNELED", Impl, int(provided))
	}
	if rc := C.simclr_errors_return(c.world); rc != C.MPI_SUCCESS {
		return callError("MPI_Comm_set_errhandler", rc)
	}
	var r, n C.int
	if rc := C.MPI_Comm_rank(c.world, &r); rc != C.MPI_SUCCESS {
		return callError("MPI_Comm_rank", rc)
	}
	if rc := C.MPI_Comm_size(c.world, &n); rc != C.MPI_SUCCESS {
		return callError("MPI_Comm_size", rc)
	}
	c.rank, c.size = int(r), int(n)
	if rc := C.simclr_split_shared(c.world, r, &c.local); rc != C.MPI_SUCCESS {
		return callError("MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)", rc)
	}
	if rc := C.simclr_errors_return(c.local); rc != C.MPI_SUCCESS {
		return callError("MPI_Comm_set_errhandler(node-local)", rc)
	}
	if rc := C.MPI_Comm_rank(c.local, &r); rc != C.MPI_SUCCESS {
		return callError("MPI_Comm_rank(node-local)", rc)
	}
	if rc := C.MPI_Comm_size(c.local, &n); rc != C.MPI_SUCCESS {
		return callError("MPI_Comm_size(node-local)", rc)
	}
	c.localRank, c.localSize = int(r), int(n)
	return nil
}

// callError is the Go error of a failed MPI call: the call and
// MPI_Error_string's text.
func callError(call string, rc C.int) error {
	buf := (*C.char)(C.malloc(C.size_t(C.simclr_max_error_string())))
	defer C.free(unsafe.Pointer(buf))
	C.simclr_error_string(rc, buf)
	return fmt.Errorf("mpi: %s: %s (error code %d)", call, C.GoString(buf), int(rc))
}

// do runs f on the MPI thread and returns its error; call names the
// operation for the error after Finalize.
func (c *Comm) do(call string, f func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return fmt.Errorf("mpi: %s after Finalize", call)
	}
	done := make(chan error)
	c.work <- func() { done <- f() }
	return <-done
}

// Rank is this process's rank in MPI_COMM_WORLD.
func (c *Comm) Rank() int { return c.rank }

// Size is the number of processes in MPI_COMM_WORLD.
func (c *Comm) Size() int { return c.size }

// LocalRank is the rank in the shared-memory (node-local) communicator.
func (c *Comm) LocalRank() int { return c.localRank }

// LocalSize is the number of ranks on this node.
func (c *Comm) LocalSize() int { return c.localSize }

// maxCount is the most elements one MPI call can move (its count is a C
// int).
const maxCount = math.MaxInt32

// AllreduceSum sums buf element-wise over every rank, in place, in pieces
// of ChunkBytes.
func (c *Comm) AllreduceSum(buf []float32) error {
	return c.do("MPI_Allreduce", func() error {
		return chunks(len(buf), ChunkBytes/4, func(off, n int) error {
			return allreduce(unsafe.Pointer(unsafe.SliceData(buf[off:])), n, C.simclr_float(), "float", c.world)
		})
	})
}

// AllreduceSum64 is AllreduceSum on float64.
func (c *Comm) AllreduceSum64(buf []float64) error {
	return c.do("MPI_Allreduce", func() error {
		return chunks(len(buf), ChunkBytes/8, func(off, n int) error {
			return allreduce(unsafe.Pointer(unsafe.SliceData(buf[off:])), n, C.simclr_double(), "double", c.world)
		})
	})
}

func allreduce(p unsafe.Pointer, n int, t C.MPI_Datatype, tname string, comm C.MPI_Comm) error {
	if rc := C.MPI_Allreduce(C.simclr_in_place(), p, C.int(n), t, C.simclr_sum(), comm); rc != C.MPI_SUCCESS {
		return callError(fmt.Sprintf("MPI_Allreduce(%d %s, sum)", n, tname), rc)
	}
	return nil
}

// chunks calls f on [off, off+n) pieces of at most max elements covering
// [0, total); an empty buffer is one call with n = 0, so that every rank
// still takes part in the collective.
func chunks(total, max int, f func(off, n int) error) error {
	if total == 0 {
		return f(0, 0)
	}
	for off := 0; off < total; off += max {
		if err := f(off, min(max, total-off)); err != nil {
			return err
		}
	}
	return nil
}

// Allgather writes every rank's send into recv in rank order; len(recv)
// must be Size()*len(send). send may lie inside recv.
func (c *Comm) Allgather(send, recv []float32) error {
	if len(recv) != c.size*len(send) {
		return fmt.Errorf("mpi: MPI_Allgather: recv has %d elements, want %d ranks x %d", len(recv), c.size, len(send))
	}
	if len(send) > maxCount {
		return fmt.Errorf("mpi: MPI_Allgather: %d elements per rank, more than one call moves (%d)", len(send), maxCount)
	}
	if overlap(send, recv) {
		send = append([]float32(nil), send...)
	}
	return c.do("MPI_Allgather", func() error {
		n := C.int(len(send))
		rc := C.MPI_Allgather(unsafe.Pointer(unsafe.SliceData(send)), n, C.simclr_float(),
			unsafe.Pointer(unsafe.SliceData(recv)), n, C.simclr_float(), c.world)
		if rc != C.MPI_SUCCESS {
			return callError(fmt.Sprintf("MPI_Allgather(%d float per rank)", n), rc)
		}
		return nil
	})
}

// overlap reports whether a and b share memory (MPI forbids aliased send
// and receive buffers).
func overlap(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0 := uintptr(unsafe.Pointer(&a[0]))
	b0 := uintptr(unsafe.Pointer(&b[0]))
	return a0 < b0+uintptr(len(b))*4 && b0 < a0+uintptr(len(a))*4
}

// Bcast copies root's buf into every rank's buf, in pieces of ChunkBytes.
func (c *Comm) Bcast(buf []byte, root int) error {
	if root < 0 || root >= c.size {
		return fmt.Errorf("mpi: MPI_Bcast: root %d outside 0..%d", root, c.size-1)
	}
	return c.do("MPI_Bcast", func() error {
		return chunks(len(buf), ChunkBytes, func(off, n int) error {
			rc := C.MPI_Bcast(unsafe.Pointer(unsafe.SliceData(buf[off:])), C.int(n), C.simclr_byte(), C.int(root), c.world)
			if rc != C.MPI_SUCCESS {
				return callError(fmt.Sprintf("MPI_Bcast(%d bytes from rank %d)", n, root), rc)
			}
			return nil
		})
	})
}

// Barrier returns once every rank has called it.
func (c *Comm) Barrier() error {
	return c.do("MPI_Barrier", func() error {
		if rc := C.MPI_Barrier(c.world); rc != C.MPI_SUCCESS {
			return callError("MPI_Barrier", rc)
		}
		return nil
	})
}

// abortGrace is how long Abort waits for the launcher to forward this
// rank's last output.
const abortGrace = 200 * time.Millisecond

// Abort ends every process of the job with code (MPI_Abort on
// MPI_COMM_WORLD, from the caller's thread: see the package doc). It does
// not return; after Finalize it exits this process only.
func (c *Comm) Abort(code int) {
	// Not under mu: another goroutine may be blocked in a collective.
	if !c.closed.Load() {
		// What this rank just wrote (the reason it aborts) is still in its
		// pipe to the launcher, which stops reading it once the abort
		// arrives: MPICH's Hydra was seen to drop it. A moment first.
		time.Sleep(abortGrace)
		C.MPI_Abort(c.world, C.int(code))
	}
	os.Exit(code)
}

// Finalize frees the node-local communicator and calls MPI_Finalize, which
// waits for every rank. Later calls (and a second Finalize) are errors.
func (c *Comm) Finalize() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return errors.New("mpi: Finalize called twice")
	}
	done := make(chan error)
	c.work <- func() {
		c.stop = true
		for len(c.active) > 0 { // never waited for: finish them first
			r := c.active[0]
			r.finish(r.waitall())
		}
		if c.local != C.simclr_comm_null() {
			if rc := C.MPI_Comm_free(&c.local); rc != C.MPI_SUCCESS {
				C.MPI_Finalize()
				done <- callError("MPI_Comm_free(node-local)", rc)
				return
			}
		}
		if rc := C.MPI_Finalize(); rc != C.MPI_SUCCESS {
			done <- callError("MPI_Finalize", rc)
			return
		}
		done <- nil
	}
	c.closed.Store(true)
	return <-done
}
