package cpu

import (
	"fmt"
	"log"
	"sync"

	"simclr-vk/engine"
)

// ConvImpl chooses how the CPU backend runs convolutions.
type ConvImpl int

const (
	// ConvAuto: oneDNN where it loads and where it beats the builtin
	// path (oneDNNPays), else the builtin convolutions.
	ConvAuto ConvImpl = iota
	// ConvOneDNN: oneDNN for every convolution; New records an error
	// (Err) and Open fails where it cannot load.
	ConvOneDNN
	// ConvBuiltin: the Go / OpenBLAS convolutions (conv_fast.go).
	ConvBuiltin
)

// ConvImpls are the names ParseConvImpl accepts, in ConvImpl order.
var ConvImpls = []string{"auto", "onednn", "builtin"}

func (c ConvImpl) String() string {
	if c >= 0 && int(c) < len(ConvImpls) {
		return ConvImpls[c]
	}
	return fmt.Sprintf("ConvImpl(%d)", int(c))
}

// ParseConvImpl parses "auto", "onednn" or "builtin".
func ParseConvImpl(s string) (ConvImpl, error) {
	for i, n := range ConvImpls {
		if s == n {
			return ConvImpl(i), nil
		}
	}
	return 0, fmt.Errorf("CPU convolutions %q: want auto, onednn or builtin", s)
}

// oneDNNLibrary is the soname loaded: Debian 12's libdnnl2 (oneDNN 2.6).
const oneDNNLibrary = "libdnnl.so.2"

// OneDNN is nil when oneDNN (libdnnl.so.2, 2.x) is loaded, or says why
// it could not be.
func OneDNN() error { return loadOneDNN() }

// OneDNNName describes the loaded oneDNN ("oneDNN 2.6.3 (OpenMP),
// libdnnl.so.2"), or why it is not loaded.
func OneDNNName() string {
	if err := loadOneDNN(); err != nil {
		return "not loaded: " + err.Error()
	}
	return oneDNNDesc
}

// convOp is one of the three convolution ops (onednn.h's OD_* order).
type convOp int

const (
	convForward convOp = iota
	convBackwardData
	convBackwardFilter
)

// oneDNNConvs are a backend's oneDNN convolution primitives, created on
// first use per op and shape (batch included) and kept. A shape oneDNN
// fails to create or run is remembered and runs the builtin path: with
// ConvOneDNN the failure is the backend's sticky error; with ConvAuto it
// is logged once per backend and ConvName counts it.
//
// mu is held from the lookup of a primitive to the end of its run, so
// that neither an eviction (maxPrims) nor close frees a primitive in use.
// Runs are serialised anyway (oneDNNMu: one calling thread).
type oneDNNConvs struct {
	threads  int
	all      bool // every shape (ConvOneDNN), not only where oneDNNPays
	maxPrims int  // past it, every primitive is freed and the cache restarts
	// fault, set by tests before the first convolution, fails the
	// creation (run false) or the run (run true, out left as it was) of
	// an op shape.
	fault func(op convOp, p engine.Conv2DParams, run bool) error

	mu        sync.Mutex
	prims     map[oneDNNKey]oneDNNEntry
	failed    int   // op shapes that fell back to builtin after a failure
	firstFail error // the first of them
}

type oneDNNKey struct {
	op convOp
	p  engine.Conv2DParams
}

// oneDNNEntry is a cached primitive, or (pr nil) why oneDNN does not run
// the shape.
type oneDNNEntry struct {
	pr  *oneDNNPrim
	err error
}

// oneDNNMaxPrims bounds the cache by default: past it, every primitive is
// freed and the cache starts again (training uses a few dozen shapes; a
// run with varying batch sizes would otherwise grow it without end).
const oneDNNMaxPrims = 512

// newOneDNNConvs returns the convolutions of a backend with opts and
// threads threads: nil for the builtin path, with the error that
// ConvOneDNN gets where oneDNN does not load (ConvAuto gets it too, for
// ConvName, but runs the builtin path).
func newOneDNNConvs(opts Options, threads int) (*oneDNNConvs, error) {
	if opts.Conv == ConvBuiltin {
		return nil, nil
	}
	if err := loadOneDNNFor(opts.oneDNNLibrary); err != nil {
		if opts.Conv == ConvOneDNN {
			return nil, fmt.Errorf("engine/cpu: convolutions through oneDNN requested, but %w", err)
		}
		return nil, err
	}
	maxPrims := opts.oneDNNMaxPrims
	if maxPrims <= 0 {
		maxPrims = oneDNNMaxPrims
	}
	return &oneDNNConvs{threads: threads, all: opts.Conv == ConvOneDNN, maxPrims: maxPrims,
		prims: map[oneDNNKey]oneDNNEntry{}}, nil
}

// loadOneDNNFor loads oneDNN, after checking that lib loads where tests
// name another library (Options.oneDNNLibrary) to see the error of a
// missing one.
func loadOneDNNFor(lib string) error {
	if lib != "" && lib != oneDNNLibrary {
		if err := openOneDNN(lib, false); err != nil {
			return err
		}
	}
	return loadOneDNN()
}

// oneDNNPays reports the convolutions that oneDNN 2.6 runs faster than
// the builtin path on AVX-512 (docs/performance.md, "oneDNN
// convolutions" and #22), by input channels C, output channels K and
// stride. Activations stay in oneDNN's nChw16c between convolutions
// where their channels fill 16-channel blocks (layout.go), so a
// convolution whose blocked side needs no reorder pays where it did not
// with NCHW:
//   - stride 1: from C = 16, one full channel block; below (the 1-3
//     channel stems), the forward and filter gradient where K fills
//     blocks (their output / diff_dst stays blocked; the stem's input
//     gradient is not needed); the 8-channel layers stay builtin
//     (oneDNN pads them to 16 and reorders every activation, while the
//     builtin shifted GEMMs need no im2col);
//   - strided 1x1 shortcuts: every op where C fills blocks; else the
//     forward and filter gradient from C = 64 (oneDNN reorders the whole
//     input to read a quarter of it, which pays only with many output
//     channels per input read), the input gradient never (im2col + GEMM
//     wins);
//   - other strided convolutions (3x3 stride 2): from C = 4, where the
//     builtin path falls back to im2col + GEMM and oneDNN runs 1.4-4x
//     faster.
func oneDNNPays(op convOp, p engine.Conv2DParams) bool {
	strided := p.StrideH > 1 || p.StrideW > 1
	switch {
	case strided && p.R == 1 && p.S == 1:
		return p.C%blockC == 0 || op != convBackwardData && p.C >= 64
	case strided:
		return p.C >= 4
	case p.C < blockC && p.K%blockC == 0 && op != convBackwardData:
		return true
	}
	return p.C >= blockC
}

// entryLocked returns the cache entry of op for p, creating the
// primitive on first use; the caller holds o.mu.
func (o *oneDNNConvs) entryLocked(op convOp, p engine.Conv2DParams) oneDNNEntry {
	k := oneDNNKey{op, p}
	if e, ok := o.prims[k]; ok {
		return e
	}
	if len(o.prims) >= o.maxPrims {
		o.freeLocked()
	}
	var e oneDNNEntry
	var err error
	if o.fault != nil {
		err = o.fault(op, p, false)
	}
	if err == nil {
		e.pr, err = newOneDNNPrim(op, p, o.threads)
	}
	if err != nil {
		e.err = fmt.Errorf("engine/cpu: creating the oneDNN %v primitive for %v: %w", op, p, err)
		o.failLocked(e.err)
	}
	o.prims[k] = e
	return e
}

// failLocked counts a shape that falls back to builtin after err; the
// first one of a ConvAuto backend is logged (ConvOneDNN's is its sticky
// error).
func (o *oneDNNConvs) failLocked(err error) {
	o.failed++
	if o.failed > 1 {
		return
	}
	o.firstFail = err
	if !o.all {
		log.Printf("%v; the builtin convolution runs it (CPU convolutions auto)", err)
	}
}

// conv runs op on p through oneDNN into out from in0 and in1 (slot order
// of onednn.h), or returns false where the caller runs its builtin path:
// ConvAuto's choice (oneDNNPays), or a shape oneDNN failed to create or
// run, err saying why. Activations that the primitive takes in nChw16c
// are read as they are where they are held so (layout.go), and an output
// activation it makes in nChw16c is left so; the rest goes through data.
func (o *oneDNNConvs) conv(op convOp, p engine.Conv2DParams, out, in0, in1 *engine.Tensor) (bool, error) {
	if !o.all && !oneDNNPays(op, p) {
		return false, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	e := o.entryLocked(op, p)
	if e.pr == nil {
		return false, e.err
	}
	var err error
	if o.fault != nil {
		err = o.fault(op, p, true)
	}
	var outBlocked bool
	var outDims nchw
	if err == nil {
		dims := convSlotDims(op, p)
		raw := 0
		var io [3][]float32
		for i, t := range [3]*engine.Tensor{in0, in1, out} {
			d, act := dims[i].d, dims[i].act
			if i == 2 {
				if act && e.pr.blk[i] && blockable(t, d) {
					raw |= 1 << i
					io[i] = bufOf(t).s
					outBlocked, outDims = true, d
				} else {
					io[i] = overwrite(t) // written whole in NCHW
				}
				continue
			}
			if act && e.pr.blk[i] {
				if s, ok := blockedOf(t, d); ok {
					raw |= 1 << i
					io[i] = s
					continue
				}
			}
			io[i] = data(t)
		}
		err = e.pr.run(io[0], io[1], io[2], raw)
	}
	if err == nil {
		if outBlocked {
			setBlocked(out, outDims)
		}
		return true, nil
	}
	err = fmt.Errorf("engine/cpu: %v through oneDNN (%s) on %v: %w", op, e.pr.impl, p, err)
	e.pr.free()
	o.prims[oneDNNKey{op, p}] = oneDNNEntry{err: err}
	o.failLocked(err)
	return false, err
}

// slotDims is an operand slot's logical shape, and whether it is an
// activation (the filter is not).
type slotDims struct {
	d   nchw
	act bool
}

// convSlotDims returns the shapes of op's slots (onednn.h order): x
// (N,C,H,W) and y (N,K,P,Q) are activations, the filter is not.
func convSlotDims(op convOp, p engine.Conv2DParams) [3]slotDims {
	x := slotDims{nchw{p.N, p.C, p.H, p.W}, true}
	y := slotDims{nchw{p.N, p.K, p.OutH(), p.OutW()}, true}
	switch op {
	case convForward:
		return [3]slotDims{x, {}, y}
	case convBackwardData:
		return [3]slotDims{y, {}, x}
	}
	return [3]slotDims{y, x, {}}
}

// impl names the oneDNN implementation of op on p; false where the
// builtin path runs it.
func (o *oneDNNConvs) impl(op convOp, p engine.Conv2DParams) (string, bool) {
	if !o.all && !oneDNNPays(op, p) {
		return "", false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if e := o.entryLocked(op, p); e.pr != nil {
		return e.pr.impl, true
	}
	return "", false
}

// freeLocked frees every primitive and empties the cache.
func (o *oneDNNConvs) freeLocked() {
	for k, e := range o.prims {
		if e.pr != nil {
			e.pr.free()
		}
		delete(o.prims, k)
	}
}

// close frees every primitive; Backend.Close calls it, and so does the
// cleanup of a backend that is garbage collected unclosed (New).
func (o *oneDNNConvs) close() {
	o.mu.Lock()
	o.freeLocked()
	o.mu.Unlock()
}

// convOneDNN runs op through oneDNN when the backend uses it and oneDNN
// takes p: out from in0 and in1, in the slot order of onednn.h (forward:
// x, w -> y; backward data: dy, w -> dx; filter: dy, x -> dw). false
// means the caller runs its builtin path, also after a failure, which is
// the sticky error of a ConvOneDNN backend.
func (be *Backend) convOneDNN(op convOp, out, in0, in1 *engine.Tensor, p engine.Conv2DParams) bool {
	if be.onednn == nil {
		return false
	}
	ran, err := be.onednn.conv(op, p, out, in0, in1)
	if err != nil && be.onednn.all {
		be.setErr(err)
	}
	return ran
}

func (op convOp) String() string {
	return [...]string{"Conv2DForward", "Conv2DBackwardData", "Conv2DBackwardFilter"}[op]
}

// ConvName says which convolutions this backend runs, and how many op
// shapes fell back to builtin because oneDNN failed on them.
func (be *Backend) ConvName() string {
	if o := be.onednn; o != nil {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.failed > 0 {
			return fmt.Sprintf("%s; builtin for %d op shapes oneDNN failed on (first: %v)", OneDNNName(), o.failed, o.firstFail)
		}
		return OneDNNName()
	}
	if be.oneDNNErr == nil {
		return "builtin (oneDNN disabled by the options)"
	}
	return fmt.Sprintf("builtin (%v)", be.oneDNNErr)
}

// ConvImplementation names the oneDNN implementation (e.g.
// "oneDNN jit:avx512_core") that runs op on p, or "builtin"; for tests
// and benchmarks.
func (be *Backend) ConvImplementation(op string, p engine.Conv2DParams) string {
	if be.onednn == nil {
		return "builtin"
	}
	for o := convForward; o <= convBackwardFilter; o++ {
		if o.String() == op {
			if impl, ok := be.onednn.impl(o, p); ok {
				return "oneDNN " + impl
			}
			return "builtin"
		}
	}
	return "builtin"
}
