//go:build mpi

package mpi

/*
#include <mpi.h>

static int simclr_iallreduce_float(float *buf, int n, MPI_Comm comm, MPI_Request *req) {
	return MPI_Iallreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, comm, req);
}
// MPICH's MPI_STATUSES_IGNORE is the address 1, which GCC takes for an
// empty array that the call would overflow.
#pragma GCC diagnostic ignored "-Wstringop-overflow"
static int simclr_testall(int n, MPI_Request *reqs, int *flag) {
	return MPI_Testall(n, reqs, flag, MPI_STATUSES_IGNORE);
}
static int simclr_waitall(int n, MPI_Request *reqs) {
	return MPI_Waitall(n, reqs, MPI_STATUSES_IGNORE);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"
	"unsafe"
)

// Request is a started IallreduceSum: its MPI requests (one per piece of
// ChunkBytes), touched only on the MPI thread.
type Request struct {
	c    *Comm
	reqs []C.MPI_Request
	pin  runtime.Pinner // buf, which MPI reads and writes until done
	what string
	done bool
	err  error
}

// Polling intervals of the MPI thread while requests are outstanding (see
// the package doc): the first test comes soon after a request starts or
// makes progress, and the interval doubles up to pollMax while nothing
// completes.
const (
	pollMin = 50 * time.Microsecond
	pollMax = time.Millisecond
)

// IallreduceSum starts AllreduceSum on buf (MPI_Iallreduce, in place, in
// pieces of ChunkBytes) and returns at once: it queues the call for the MPI
// thread without waiting for it to be made (on a busy machine the thread
// may wait milliseconds for a core, which the caller's computation should
// not), so an error of the call comes back from Wait. buf is pinned and
// must not be touched until Wait returns. While it runs the MPI thread
// drives its progress (see the package doc).
func (c *Comm) IallreduceSum(buf []float32) (*Request, error) {
	r := &Request{c: c, what: fmt.Sprintf("MPI_Iallreduce(%d float, sum)", len(buf))}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return nil, errors.New("mpi: MPI_Iallreduce after Finalize")
	}
	if len(buf) > 0 {
		r.pin.Pin(unsafe.SliceData(buf))
	}
	c.work <- func() { r.start(buf) }
	return r, nil
}

// start makes the MPI_Iallreduce calls (MPI thread).
func (r *Request) start(buf []float32) {
	err := chunks(len(buf), ChunkBytes/4, func(off, n int) error {
		var q C.MPI_Request
		p := (*C.float)(unsafe.Pointer(unsafe.SliceData(buf[off:])))
		if rc := C.simclr_iallreduce_float(p, C.int(n), r.c.world, &q); rc != C.MPI_SUCCESS {
			return callError(fmt.Sprintf("MPI_Iallreduce(%d float, sum)", n), rc)
		}
		r.reqs = append(r.reqs, q)
		return nil
	})
	if err != nil {
		r.waitall() // the pieces already started
		r.finish(err)
		return
	}
	r.c.active = append(r.c.active, r)
}

// Wait returns when the all-reduce is done on this rank (MPI_Waitall, on
// the MPI thread, unless polling already saw it complete).
func (r *Request) Wait() error {
	return r.c.do("MPI_Wait", func() error {
		if !r.done {
			r.finish(r.waitall())
		}
		return r.err
	})
}

func (r *Request) waitall() error {
	if len(r.reqs) == 0 {
		return nil
	}
	if rc := C.simclr_waitall(C.int(len(r.reqs)), &r.reqs[0]); rc != C.MPI_SUCCESS {
		return callError(r.what+": MPI_Waitall", rc)
	}
	return nil
}

// test reports whether the request is complete (MPI_Testall, which also
// drives the progress of every outstanding non-blocking call).
func (r *Request) test() bool {
	flag := C.int(1)
	if len(r.reqs) > 0 {
		if rc := C.simclr_testall(C.int(len(r.reqs)), &r.reqs[0], &flag); rc != C.MPI_SUCCESS {
			r.finish(callError(r.what+": MPI_Testall", rc))
			return true
		}
	}
	if flag != 0 {
		r.finish(nil)
	}
	return flag != 0
}

// finish records the outcome, unpins the buffer and forgets the request
// (MPI thread).
func (r *Request) finish(err error) {
	if r.done {
		return
	}
	r.done, r.err = true, err
	r.pin.Unpin()
	r.c.active = slices.DeleteFunc(r.c.active, func(q *Request) bool { return q == r })
}

// progress tests the outstanding requests in start order, the oldest
// first, until one is not complete (later ones started later: they are
// tested next time), and reports whether any completed (MPI thread). A
// completed request leaves c.active (finish), so the next oldest is
// c.active[0]: no copy of the list on each poll.
func (c *Comm) progress() bool {
	done := false
	for len(c.active) > 0 && c.active[0].test() {
		done = true
	}
	return done
}
