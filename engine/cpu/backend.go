package cpu

import (
	"fmt"
	"runtime"
	"sync"

	"simclr-vk/engine"
)

// Options configure the CPU backend.
type Options struct {
	// Threads is the number of goroutines for parallel loops (0: GOMAXPROCS).
	Threads int
	// NoBLAS disables OpenBLAS even where it is installed (pure-Go GEMM).
	NoBLAS bool
	// Conv chooses oneDNN or the builtin convolutions (default: oneDNN
	// where libdnnl.so.2 loads).
	Conv ConvImpl

	// Test hooks, set by this package's tests only:
	// oneDNNLibrary is a library that must load before libdnnl.so.2 is
	// (a missing one gives the error of a missing oneDNN where it is
	// installed); oneDNNMaxPrims caps the primitive cache (0: 512).
	oneDNNLibrary  string
	oneDNNMaxPrims int
}

// Backend is the CPU implementation of engine.Backend.
type Backend struct {
	threads int
	noBLAS  bool
	onednn  *oneDNNConvs // nil: builtin convolutions
	// oneDNNErr says why the backend runs builtin convolutions where
	// oneDNN was asked for (auto or onednn); nil with ConvBuiltin.
	oneDNNErr error

	mu    sync.Mutex
	stats engine.MemStats
	err   error
}

// New returns a CPU backend. Where opts asks for oneDNN (ConvOneDNN) and
// it cannot load, the backend runs the builtin convolutions and Err
// returns why; Open returns that error instead. Close frees the oneDNN
// primitives; a backend that is garbage collected unclosed frees them
// then (runtime.AddCleanup).
func New(opts Options) *Backend {
	b, err := open(opts)
	b.err = err
	return b
}

// Open is New, failing where opts cannot be honoured.
func Open(opts Options) (*Backend, error) {
	b, err := open(opts)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func open(opts Options) (*Backend, error) {
	th := opts.Threads
	if th <= 0 {
		th = runtime.GOMAXPROCS(0)
	}
	b := &Backend{threads: th, noBLAS: opts.NoBLAS}
	o, err := newOneDNNConvs(opts, th)
	if o == nil {
		b.oneDNNErr = err
		if opts.Conv == ConvAuto {
			err = nil
		}
		return b, err
	}
	b.onednn = o
	// The primitives are C memory: freed when b is collected unclosed.
	runtime.AddCleanup(b, (*oneDNNConvs).close, o)
	return b, nil
}

// Name is "cpu".
func (b *Backend) Name() string { return "cpu" }

// Threads is the number of goroutines used by parallel loops.
func (b *Backend) Threads() int { return b.threads }

// Data exposes the host slice of a CPU tensor (no copy), in NCHW order
// (an activation held in oneDNN's blocked layout is converted first,
// layout.go). Writing to it is the same as Upload until the next op on
// the tensor.
func Data(t *engine.Tensor) []float32 { return data(t) }

// New allocates a zero-filled tensor.
func (b *Backend) New(shape ...int) *engine.Tensor {
	n := engine.CheckShape("New", shape)
	t := engine.NewTensor(b, newBuf(n), shape...)
	b.count(4 * int64(n))
	return t
}

// count adds a new tensor of bytes to the statistics.
func (b *Backend) count(bytes int64) {
	b.mu.Lock()
	b.stats.InUse += bytes
	b.stats.Reserved += bytes
	b.stats.Tensors++
	if b.stats.InUse > b.stats.Peak {
		b.stats.Peak = b.stats.InUse
	}
	b.mu.Unlock()
}

// Upload copies src into t (rounded where t is Float16).
func (b *Backend) Upload(t *engine.Tensor, src []float32) {
	engine.CheckBackend("Upload", b, t)
	if len(src) != t.Numel() {
		panic(fmt.Sprintf("engine/cpu: Upload: %d values for tensor %v", len(src), t))
	}
	if t.DType() == engine.Float16 {
		upload16(t, src)
		return
	}
	copy(overwrite(t), src)
}

// Download copies t into dst.
func (b *Backend) Download(t *engine.Tensor, dst []float32) error {
	engine.CheckBackend("Download", b, t)
	if len(dst) != t.Numel() {
		panic(fmt.Sprintf("engine/cpu: Download: %d values for tensor %v", len(dst), t))
	}
	if t.Released() {
		panic(fmt.Sprintf("engine/cpu: Download: tensor %v was released", t))
	}
	copy(dst, data(t))
	return b.Err()
}

// Release frees t's storage.
func (b *Backend) Release(t *engine.Tensor) {
	engine.CheckBackend("Release", b, t)
	if t.IsView() {
		panic("engine/cpu: Release: tensor is a view")
	}
	if t.Released() {
		return
	}
	n := int64(4 * t.Numel()) // Float16 tensors too (float16store.go)
	t.MarkReleased()
	buf := bufOf(t)
	buf.blocked.Store(false)
	buf.s = nil
	b.mu.Lock()
	b.stats.InUse -= n
	b.stats.Reserved -= n
	b.stats.Tensors--
	b.mu.Unlock()
}

// Flush returns the sticky error (CPU ops are synchronous).
func (b *Backend) Flush() error { return b.Err() }

// Err returns the sticky error.
func (b *Backend) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// MemStats returns the memory statistics.
func (b *Backend) MemStats() engine.MemStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// ResetPeak sets Peak to the current InUse.
func (b *Backend) ResetPeak() {
	b.mu.Lock()
	b.stats.Peak = b.stats.InUse
	b.mu.Unlock()
}

// Close frees the oneDNN primitives (tensors are garbage collected); it
// waits for a convolution running on another goroutine. The backend stays
// usable: primitives are made again as needed, and freed by the next
// Close or when the backend is garbage collected.
func (b *Backend) Close() error {
	if b.onednn != nil {
		b.onednn.close()
	}
	return nil
}

// setErr records err as the sticky error unless one is already set.
func (b *Backend) setErr(err error) {
	b.mu.Lock()
	if b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
}

// parallelFor runs fn(lo, hi) over [0, n) split into at most b.threads
// contiguous chunks. Each index is handled by exactly one call, so results do
// not depend on the thread count as long as fn writes disjoint outputs.
func (b *Backend) parallelFor(n int, fn func(lo, hi int)) { parallelN(b.threads, n, fn) }

// parallelIf is parallelFor over [0, n) when the op touches enough values
// (work >= 2*elemGrain) for goroutines to pay and n > 1; otherwise it runs
// fn(0, n) on the calling goroutine.
func (b *Backend) parallelIf(work, n int, fn func(lo, hi int)) {
	if work < 2*elemGrain || n < 2 {
		fn(0, n)
		return
	}
	b.parallelFor(n, fn)
}
