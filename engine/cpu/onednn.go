package cpu

import (
	"fmt"
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
// first use per op and shape (batch included) and kept; a shape oneDNN
// refuses is remembered (nil) and runs the builtin path.
type oneDNNConvs struct {
	threads int
	all     bool // every shape (ConvOneDNN), not only where oneDNNPays
	mu      sync.Mutex
	prims   map[oneDNNKey]*oneDNNPrim // nil: oneDNN refused the shape
}

type oneDNNKey struct {
	op convOp
	p  engine.Conv2DParams
}

// oneDNNMaxPrims bounds the cache: past it, every primitive is freed and
// the cache starts again (training uses a few dozen shapes; a run with
// varying batch sizes would otherwise grow it without end).
const oneDNNMaxPrims = 512

// newOneDNNConvs returns the convolutions of a backend choosing impl
// with threads threads: nil for the builtin path, with the error that
// ConvOneDNN gets where oneDNN does not load.
func newOneDNNConvs(impl ConvImpl, threads int) (*oneDNNConvs, error) {
	if impl == ConvBuiltin {
		return nil, nil
	}
	if err := loadOneDNN(); err != nil {
		if impl == ConvOneDNN {
			return nil, fmt.Errorf("engine/cpu: convolutions through oneDNN requested, but %w", err)
		}
		return nil, nil
	}
	return &oneDNNConvs{threads: threads, all: impl == ConvOneDNN, prims: map[oneDNNKey]*oneDNNPrim{}}, nil
}

// oneDNNPays reports the convolutions that oneDNN 2.6 runs faster than
// the builtin path (docs/performance.md, "oneDNN convolutions"): not the
// forward and input gradient of stems of 1 to 3 input channels, nor the
// filter gradient of one input channel, nor the input gradient of the
// strided 1x1 shortcuts, where im2col + GEMM wins (P18).
func oneDNNPays(op convOp, p engine.Conv2DParams) bool {
	switch {
	case op == convBackwardFilter:
		return p.C >= 3
	case p.C < 4:
		return false
	case op == convBackwardData && p.R == 1 && p.S == 1 && (p.StrideH > 1 || p.StrideW > 1):
		return false
	}
	return true
}

// prim returns the primitive of op for p, or nil where the backend runs
// the builtin path for it (ConvAuto and !oneDNNPays, or oneDNN refused it).
func (o *oneDNNConvs) prim(op convOp, p engine.Conv2DParams) *oneDNNPrim {
	if !o.all && !oneDNNPays(op, p) {
		return nil
	}
	k := oneDNNKey{op, p}
	o.mu.Lock()
	defer o.mu.Unlock()
	if pr, ok := o.prims[k]; ok {
		return pr
	}
	if len(o.prims) >= oneDNNMaxPrims {
		o.freeLocked()
	}
	pr, err := newOneDNNPrim(op, p, o.threads)
	if err != nil {
		pr = nil // the builtin path runs it
	}
	o.prims[k] = pr
	return pr
}

// freeLocked frees every primitive and empties the cache.
func (o *oneDNNConvs) freeLocked() {
	for k, pr := range o.prims {
		if pr != nil {
			pr.free()
		}
		delete(o.prims, k)
	}
}

// close frees every primitive.
func (o *oneDNNConvs) close() {
	o.mu.Lock()
	o.freeLocked()
	o.mu.Unlock()
}

// convOneDNN runs op through oneDNN when the backend uses it and oneDNN
// takes p: out from in0 and in1, in the slot order of onednn.h (forward:
// x, w -> y; backward data: dy, w -> dx; filter: dy, x -> dw). false
// means the caller runs its builtin path. A failed run (which oneDNN
// does not do on a primitive it created) sets the sticky error.
func (be *Backend) convOneDNN(op convOp, out, in0, in1 []float32, p engine.Conv2DParams) bool {
	if be.onednn == nil {
		return false
	}
	pr := be.onednn.prim(op, p)
	if pr == nil {
		return false
	}
	if err := pr.run(in0, in1, out); err != nil {
		be.setErr(fmt.Errorf("engine/cpu: %v through oneDNN (%s) on %v: %w", op, pr.impl, p, err))
	}
	return true
}

func (op convOp) String() string {
	return [...]string{"Conv2DForward", "Conv2DBackwardData", "Conv2DBackwardFilter"}[op]
}

// ConvName says which convolutions this backend runs.
func (be *Backend) ConvName() string {
	if be.onednn != nil {
		return OneDNNName()
	}
	if be.convImpl == ConvBuiltin {
		return "builtin (oneDNN disabled by the options)"
	}
	return fmt.Sprintf("builtin (%v)", OneDNN())
}

// ConvImplementation names the oneDNN implementation (e.g.
// "jit:avx512_core") that runs op on p, or "builtin"; for tests and
// benchmarks.
func (be *Backend) ConvImplementation(op string, p engine.Conv2DParams) string {
	if be.onednn == nil {
		return "builtin"
	}
	for o := convForward; o <= convBackwardFilter; o++ {
		if o.String() == op {
			if pr := be.onednn.prim(o, p); pr != nil {
				return "oneDNN " + pr.impl
			}
			return "builtin"
		}
	}
	return "builtin"
}
