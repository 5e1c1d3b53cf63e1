//go:build cgo

package cpu

// The Go side of the oneDNN binding (onednn.c): loading, and one OS thread
// that makes every oneDNN call.

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "onednn.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"simclr-vk/engine"
)

var (
	oneDNNOnce sync.Once
	oneDNNErr  error
	oneDNNDesc string
)

// init sets OMP_WAIT_POLICY=PASSIVE unless it is set: OpenMP pool
// threads then sleep as soon as a convolution ends instead of spinning
// (libgomp's default spins ~300k iterations), so that they do not steal
// the cores of the goroutines of the next op; libgomp reads it when
// oneDNN's dlopen loads it. Set here rather than when oneDNN loads because
// setenv is not safe while another thread may call getenv (lavapipe's and
// OpenBLAS's threads, started later): package initialisation runs on one
// goroutine before main, before this module starts any C thread. Child
// processes inherit it.
func init() {
	if _, ok := os.LookupEnv("OMP_WAIT_POLICY"); !ok {
		os.Setenv("OMP_WAIT_POLICY", "PASSIVE")
	}
}

// loadOneDNN opens oneDNN once and starts its calling thread.
func loadOneDNN() error {
	oneDNNOnce.Do(func() {
		if oneDNNErr = openOneDNN(oneDNNLibrary, true); oneDNNErr == nil {
			go oneDNNThread()
		}
	})
	return oneDNNErr
}

// openOneDNN loads the library at path, or says why it cannot. With
// install it becomes the oneDNN of the package, and must not be called so
// again after a success (loadOneDNN does it once); without, the library
// is only checked (symbols, version) and closed.
func openOneDNN(path string, install bool) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var msg [512]C.char
	in := C.int(0)
	if install {
		in = 1
	}
	if e := C.od_load(cpath, in, &msg[0], C.size_t(len(msg))); e != nil {
		return fmt.Errorf("oneDNN (%s): %s", path, C.GoString(e))
	}
	if !install {
		return nil
	}
	C.od_describe(&msg[0], C.size_t(len(msg)))
	oneDNNDesc = fmt.Sprintf("%s, %s", C.GoString(&msg[0]), path)
	return nil
}

// oneDNN runs on one locked OS thread: libgomp keeps a pool of worker
// threads per calling thread and its thread count (omp_set_num_threads)
// is per thread too, so calls from whatever thread a goroutine is on
// would grow one pool per Go thread. Calls are serialised (oneDNNMu);
// a primitive uses all its threads anyway.
type oneDNNCall struct {
	create bool
	conv   *C.od_conv
	// create: the op, dims of x, w and y, strides, paddings, threads
	op                  C.int
	x, w, y             [4]C.int64_t
	strides, padL, padR [2]C.int64_t
	threads             C.int
	// run: the plain buffers, the layout buffers and the scratchpad
	io, tmp [3]unsafe.Pointer
	scratch unsafe.Pointer
	raw     C.int
	status  C.int
	where   *C.char
}

var (
	oneDNNMu   sync.Mutex
	oneDNNReq  = make(chan *oneDNNCall)
	oneDNNDone = make(chan struct{})
)

func oneDNNThread() {
	runtime.LockOSThread()
	for c := range oneDNNReq {
		if c.create {
			c.status = C.od_conv_create(c.conv, c.op, &c.x[0], &c.w[0], &c.y[0], &c.strides[0], &c.padL[0], &c.padR[0], c.threads, &c.where)
		} else {
			c.status = C.od_conv_run(c.conv, c.io[0], c.io[1], c.io[2], c.tmp[0], c.tmp[1], c.tmp[2], c.scratch, c.raw, &c.where)
		}
		oneDNNDone <- struct{}{}
	}
}

// call runs c on oneDNN's thread; the caller holds oneDNNMu.
func (c *oneDNNCall) call() error {
	oneDNNReq <- c
	<-oneDNNDone
	if c.status != 0 {
		return fmt.Errorf("%s: dnnl status %d (%s)", C.GoString(c.where), int(c.status), oneDNNStatus(int(c.status)))
	}
	return nil
}

func oneDNNStatus(s int) string {
	names := []string{"success", "out of memory", "invalid arguments", "unimplemented", "iterator ends", "runtime error", "not required"}
	if s >= 0 && s < len(names) {
		return names[s]
	}
	return "unknown"
}

// oneDNNPrim is one cached convolution primitive: its C state (C memory,
// holding no Go pointer between calls) and the float32 sizes of the
// reorder buffers and scratchpad that each run takes from the scratch
// pools; blk[i] says that slot i (an activation) may be passed in
// nChw16c (layout.go) without a reorder.
type oneDNNPrim struct {
	c       *C.od_conv
	blk     [3]bool
	tmp     [3]int
	scratch int
	impl    string
	call    oneDNNCall // reused under oneDNNMu: a run allocates nothing
}

// newOneDNNPrim creates the primitive of op for p with threads threads.
func newOneDNNPrim(op convOp, p engine.Conv2DParams, threads int) (*oneDNNPrim, error) {
	c := (*C.od_conv)(C.calloc(1, C.size_t(unsafe.Sizeof(C.od_conv{}))))
	if c == nil {
		return nil, errors.New("calloc failed")
	}
	i64 := func(v ...int) (r [4]C.int64_t) {
		for i, x := range v {
			r[i] = C.int64_t(x)
		}
		return r
	}
	x, w, y := i64(p.N, p.C, p.H, p.W), i64(p.K, p.C, p.R, p.S), i64(p.N, p.K, p.OutH(), p.OutW())
	// Symmetric padding, as PyTorch passes it: oneDNN rounds the output
	// size down as OutH / OutW do.
	st, pad := i64(p.StrideH, p.StrideW), i64(p.PadH, p.PadW)
	req := &oneDNNCall{create: true, conv: c, op: C.int(op), threads: C.int(threads), x: x, w: w, y: y,
		strides: [2]C.int64_t(st[:2]), padL: [2]C.int64_t(pad[:2]), padR: [2]C.int64_t(pad[:2])}
	oneDNNMu.Lock()
	err := req.call()
	oneDNNMu.Unlock()
	if err != nil {
		C.free(unsafe.Pointer(c))
		return nil, err
	}
	prim := &oneDNNPrim{c: c, impl: C.GoString(&c.impl[0])}
	for i := range prim.tmp {
		prim.tmp[i] = int(c.size[i]+3) / 4
		prim.blk[i] = c.blk[i] != 0
	}
	prim.scratch = int(c.scratch_size+3) / 4
	prim.call.conv = c
	return prim, nil
}

// errOneDNNFreed is the error of a run on a freed primitive, which the
// cache (its lock held from lookup to the end of the run) never does.
var errOneDNNFreed = errors.New("the primitive was freed while in use")

// run computes the op into out from in0 and in1 (the plain NCHW / OIHW
// buffers of the op's slots, except slot i with bit i of raw set: in
// nChw16c, pr.blk[i] required).
func (pr *oneDNNPrim) run(in0, in1, out []float32, raw int) error {
	oneDNNMu.Lock()
	defer oneDNNMu.Unlock()
	if pr.c == nil {
		return errOneDNNFreed
	}
	var tmp [3][]float32
	for i, n := range pr.tmp {
		if raw>>i&1 == 0 {
			tmp[i] = getScratch(n)
		}
	}
	sp := getScratch(pr.scratch)
	c := &pr.call
	for i, s := range [3][]float32{in0, in1, out} {
		c.io[i] = unsafe.Pointer(&s[0])
		c.tmp[i] = nil
		if len(tmp[i]) > 0 {
			c.tmp[i] = unsafe.Pointer(&tmp[i][0])
		}
	}
	c.scratch, c.raw = nil, C.int(raw)
	if len(sp) > 0 {
		c.scratch = unsafe.Pointer(&sp[0])
	}
	err := c.call()
	c.io, c.tmp, c.scratch = [3]unsafe.Pointer{}, [3]unsafe.Pointer{}, nil
	runtime.KeepAlive(in0)
	runtime.KeepAlive(in1)
	runtime.KeepAlive(out)
	for _, t := range tmp {
		putScratch(t)
	}
	putScratch(sp)
	return err
}

// free releases the primitive; a second call does nothing.
func (pr *oneDNNPrim) free() {
	oneDNNMu.Lock()
	if pr.c != nil {
		C.od_conv_destroy(pr.c)
		C.free(unsafe.Pointer(pr.c))
		pr.c, pr.call.conv = nil, nil
	}
	oneDNNMu.Unlock()
}
