package cpu

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"simclr-vk/engine"
)

// TestConvAutoChoice: which convolutions ConvAuto sends to oneDNN
// (oneDNNPays), for each of the three ops; where oneDNN loads, also the
// path a backend really takes, and that ConvOneDNN takes oneDNN for all.
func TestConvAutoChoice(t *testing.T) {
	conv := func(c, r, sh, sw int) engine.Conv2DParams {
		return engine.Conv2DParams{N: 2, C: c, H: 8, W: 8, K: 8, R: r, S: r, StrideH: sh, StrideW: sw, PadH: r / 2, PadW: r / 2}
	}
	for _, c := range []struct {
		p           engine.Conv2DParams
		fwd, bd, bf bool // oneDNN for forward, backward data, filter gradient
	}{
		{conv(1, 3, 1, 1), false, false, false}, // stems with 8 outputs
		{conv(3, 3, 1, 1), false, false, false},
		{engine.Conv2DParams{N: 2, C: 1, H: 8, W: 8, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, true, false, true},
		{engine.Conv2DParams{N: 2, C: 3, H: 8, W: 8, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, true, false, true},
		{conv(8, 3, 1, 1), false, false, false},  // stride 1: below one 16-channel block
		{conv(15, 3, 1, 1), false, false, false}, // the edges of the rule
		{conv(16, 3, 1, 1), true, true, true},
		{conv(16, 1, 1, 1), true, true, true},
		{conv(3, 3, 2, 2), false, false, false}, // strided 3x3
		{conv(4, 3, 2, 2), true, true, true},
		{conv(8, 3, 1, 2), true, true, true},
		{conv(8, 3, 2, 1), true, true, true},
		{engine.Conv2DParams{N: 2, C: 16, H: 8, W: 8, K: 8, R: 1, S: 3, StrideH: 2, StrideW: 2, PadW: 1}, true, true, true},
		{conv(16, 1, 2, 2), true, true, true}, // strided 1x1 shortcuts: blocked C
		{conv(8, 1, 2, 2), false, false, false},
		{conv(63, 1, 2, 2), false, false, false},
		{conv(64, 1, 2, 2), true, true, true},
		{conv(64, 1, 1, 2), true, true, true},
		{conv(64, 1, 2, 1), true, true, true},
		{conv(72, 1, 2, 2), true, false, true},
	} {
		for i, want := range []bool{c.fwd, c.bd, c.bf} {
			if got := oneDNNPays(convOp(i), c.p); got != want {
				t.Errorf("oneDNNPays(%v, %v) = %v, want %v", convOp(i), c.p, got, want)
			}
		}
		if OneDNN() != nil {
			continue
		}
		auto := New(Options{Threads: 1})
		for i, want := range []bool{c.fwd, c.bd, c.bf} {
			got := auto.ConvImplementation(convOp(i).String(), c.p)
			if strings.HasPrefix(got, "oneDNN") != want {
				t.Errorf("ConvAuto %v %v ran on %s, want oneDNN %v", convOp(i), c.p, got, want)
			}
		}
		auto.Close()
		one := New(Options{Threads: 1, Conv: ConvOneDNN})
		checkConvImpl(t, one, ConvOneDNN, c.p)
		one.Close()
	}
}

// convOps are the three ops with their reference and Backend method, on
// the plain slots of onednn.h (out, in0, in1).
var convOps = []struct {
	op  convOp
	ref func(out, in0, in1 []float32, p engine.Conv2DParams)
	be  func(be *Backend, out, in0, in1 *engine.Tensor, p engine.Conv2DParams)
}{
	{convForward, Conv2DForward, (*Backend).Conv2DForward},
	{convBackwardData, Conv2DBackwardData, (*Backend).Conv2DBackwardData},
	{convBackwardFilter, Conv2DBackwardFilter, (*Backend).Conv2DBackwardFilter},
}

// convOpSizes are the element counts of op's out, in0 and in1 for p.
func convOpSizes(op convOp, p engine.Conv2DParams) [3]int {
	nx, nw, ny := convSizes(p)
	return [...][3]int{{ny, nx, nw}, {nx, ny, nw}, {nw, ny, nx}}[op]
}

// checkConvOp runs ops[i] of p on be from inputs of seed, out first
// filled with NaN, and compares with the reference.
func checkConvOp(t *testing.T, be *Backend, i int, p engine.Conv2DParams, seed int64) {
	t.Helper()
	c := convOps[i]
	n := convOpSizes(c.op, p)
	x, w, dy := convInputs(seed, p)
	in := map[convOp][2][]float32{convForward: {x, w}, convBackwardData: {dy, w}, convBackwardFilter: {dy, x}}[c.op]
	want := make([]float32, n[0])
	c.ref(want, in[0], in[1], p)
	out, in0, in1 := be.New(n[0]), be.New(n[1]), be.New(n[2])
	nan := make([]float32, n[0])
	for j := range nan {
		nan[j] = float32(math.NaN())
	}
	be.Upload(out, nan)
	be.Upload(in0, in[0])
	be.Upload(in1, in[1])
	c.be(be, out, in0, in1, p)
	checkClose(t, c.op.String()+" "+p.String(), Data(out), want, 1e-4, 1e-4)
}

// TestOneDNNCacheConcurrent: two goroutines run many shapes on one
// backend whose cache holds 2 primitives (so each creation evicts the
// others) while a third closes it over and over: no primitive is freed
// while in use (run reports errOneDNNFreed) and every result is right.
// Run it with -race too.
func TestOneDNNCacheConcurrent(t *testing.T) {
	skipWithoutOneDNN(t)
	be := New(Options{Threads: 1, Conv: ConvOneDNN, oneDNNMaxPrims: 2})
	shapes := []engine.Conv2DParams{
		{N: 1, C: 4, H: 6, W: 6, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 4, H: 5, W: 5, K: 8, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		{N: 1, C: 8, H: 4, W: 4, K: 4, R: 1, S: 1, StrideH: 1, StrideW: 1},
		{N: 3, C: 4, H: 7, W: 7, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1},
	}
	stop := make(chan struct{})
	closed := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				closed <- n
				return
			default:
				be.Close()
				n++
				runtime.Gosched()
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range 20 {
				for s, p := range shapes {
					checkConvOp(t, be, (g+it+s)%3, p, int64(s))
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	t.Logf("%d Close calls during the runs", <-closed)
	if err := be.Err(); err != nil {
		t.Fatal(err)
	}
	if o := be.onednn; len(o.prims) > o.maxPrims {
		t.Errorf("%d primitives cached, cap %d", len(o.prims), o.maxPrims)
	}
	be.Close()
}

// TestOneDNNFailures: a primitive oneDNN fails to create or run is the
// sticky error of a ConvOneDNN backend, naming the op and shape; a ConvAuto
// backend runs it on the builtin path and ConvName says so. In every case
// the output is computed (by the builtin path).
func TestOneDNNFailures(t *testing.T) {
	skipWithoutOneDNN(t)
	p := engine.Conv2DParams{N: 2, C: 16, H: 6, W: 6, K: 8, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	injected := errors.New("injected failure")
	for _, impl := range []ConvImpl{ConvOneDNN, ConvAuto} {
		for _, atRun := range []bool{false, true} {
			for i, c := range convOps {
				be := New(Options{Threads: 1, Conv: impl})
				be.onednn.fault = func(op convOp, q engine.Conv2DParams, run bool) error {
					if op == c.op && q == p && run == atRun {
						return injected
					}
					return nil
				}
				what := map[bool]string{false: "creating", true: "running"}[atRun]
				t.Run(impl.String()+"/"+what+"/"+c.op.String(), func(t *testing.T) {
					checkConvOp(t, be, i, p, 3)
					checkConvOp(t, be, i, p, 4) // the failure is remembered
					err := be.Err()
					if impl == ConvOneDNN {
						if err == nil || !errors.Is(err, injected) || !strings.Contains(err.Error(), c.op.String()) ||
							!strings.Contains(err.Error(), p.String()) {
							t.Errorf("sticky error %v, want the injected failure naming %v and %v", err, c.op, p)
						}
						return
					}
					if err != nil {
						t.Errorf("ConvAuto: sticky error %v", err)
					}
					if name := be.ConvName(); !strings.Contains(name, "builtin for 1 op shapes") || !strings.Contains(name, c.op.String()) {
						t.Errorf("ConvName %q does not report the fallback of %v", name, c.op)
					}
					if got := be.ConvImplementation(c.op.String(), p); got != "builtin" {
						t.Errorf("%v after the failure runs on %s", c.op, got)
					}
				})
				be.Close()
			}
		}
	}
}

// TestOneDNNMissingLibrary: where the oneDNN library does not load,
// ConvOneDNN is an error (Open) or the sticky error (New) naming it, and
// ConvAuto runs the builtin convolutions, ConvName saying why. This runs
// where oneDNN is installed too, through a library name that does not
// exist.
func TestOneDNNMissingLibrary(t *testing.T) {
	const lib = "libsimclr-no-such-dnnl.so.2"
	_, err := Open(Options{Conv: ConvOneDNN, oneDNNLibrary: lib})
	if err == nil || !strings.Contains(err.Error(), "convolutions through oneDNN requested") || !strings.Contains(err.Error(), lib) {
		t.Errorf("Open(ConvOneDNN) without %s: %v, want an error naming it", lib, err)
	}
	if be := New(Options{Conv: ConvOneDNN, oneDNNLibrary: lib}); be.Err() == nil || !strings.Contains(be.Err().Error(), lib) {
		t.Errorf("New(ConvOneDNN) without %s: sticky error %v", lib, be.Err())
	} else if name := be.ConvName(); !strings.Contains(name, lib) {
		t.Errorf("New(ConvOneDNN) without %s: ConvName %q does not say why", lib, name)
	}
	if name := New(Options{Conv: ConvBuiltin}).ConvName(); name != "builtin (oneDNN disabled by the options)" {
		t.Errorf("ConvBuiltin: ConvName %q", name)
	}
	be, err := Open(Options{Threads: 1, oneDNNLibrary: lib})
	if err != nil {
		t.Fatalf("Open(ConvAuto) without %s: %v", lib, err)
	}
	if name := be.ConvName(); !strings.HasPrefix(name, "builtin (") || !strings.Contains(name, lib) {
		t.Errorf("ConvAuto without %s: ConvName %q", lib, name)
	}
	p := engine.Conv2DParams{N: 1, C: 16, H: 5, W: 5, K: 8, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	if got := be.ConvImplementation("Conv2DForward", p); got != "builtin" {
		t.Errorf("ConvAuto without %s runs on %s", lib, got)
	}
	checkConvOp(t, be, 0, p, 5)
}

// TestOneDNNCleanup: the primitives of a backend that is never closed are
// freed when it is garbage collected.
func TestOneDNNCleanup(t *testing.T) {
	skipWithoutOneDNN(t)
	o := func() *oneDNNConvs {
		be := New(Options{Threads: 1, Conv: ConvOneDNN})
		checkConvOp(t, be, 0, engine.Conv2DParams{N: 1, C: 4, H: 5, W: 5, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, 6)
		return be.onednn
	}()
	cached := func() int {
		o.mu.Lock()
		defer o.mu.Unlock()
		return len(o.prims)
	}
	if cached() != 1 {
		t.Fatalf("%d primitives cached, want 1", cached())
	}
	for i := 0; i < 200 && cached() > 0; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if n := cached(); n > 0 {
		t.Errorf("%d primitives left after the backend was collected", n)
	}
}
