package cpu

import (
	"math/rand"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"simclr-vk/engine"
)

// TestOneDNNLoads fails in CI (CI=true) where oneDNN does not load, so
// that CI really runs the oneDNN convolutions; elsewhere it skips.
func TestOneDNNLoads(t *testing.T) {
	if err := OneDNN(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v (build.sh installs libdnnl2)", err)
		}
		t.Skipf("oneDNN not loaded: %v", err)
	}
	t.Log(OneDNNName())
	if _, err := Open(Options{Conv: ConvOneDNN}); err != nil {
		t.Fatalf("Open with ConvOneDNN: %v", err)
	}
}

// skipWithoutOneDNN skips a test of the oneDNN path where it does not
// load (TestOneDNNLoads fails then in CI).
func skipWithoutOneDNN(t *testing.T) {
	t.Helper()
	if err := OneDNN(); err != nil {
		t.Skip(err)
	}
}

// convInputs are random x, w and dy for p from seed.
func convInputs(seed int64, p engine.Conv2DParams) (x, w, dy []float32) {
	rng := rand.New(rand.NewSource(seed))
	nx, nw, ny := convSizes(p)
	return randSlice(rng, nx), randSlice(rng, nw), randSlice(rng, ny)
}

// convTestOptions are the backends the convolution tests compare with
// the references: the builtin paths, and oneDNN where it loads.
func convTestOptions() []Options {
	opts := []Options{{Threads: 1, Conv: ConvBuiltin}, {Threads: 2, Conv: ConvBuiltin},
		{Threads: 3, NoBLAS: true, Conv: ConvBuiltin}, {Threads: 1, NoBLAS: true, Conv: ConvBuiltin}}
	if OneDNN() == nil {
		opts = append(opts, Options{Threads: 1, Conv: ConvOneDNN}, Options{Threads: 2, Conv: ConvOneDNN})
	}
	return opts
}

// checkConvImpl fails where a backend asked for oneDNN ran an op of p
// through the builtin path (oneDNN refused the shape), or a builtin one
// through oneDNN.
func checkConvImpl(t *testing.T, be *Backend, impl ConvImpl, p engine.Conv2DParams) {
	t.Helper()
	for _, op := range []string{"Conv2DForward", "Conv2DBackwardData", "Conv2DBackwardFilter"} {
		got := be.ConvImplementation(op, p)
		if onednn := strings.HasPrefix(got, "oneDNN"); onednn != (impl == ConvOneDNN) {
			t.Errorf("%s %v with Conv %v ran on %s", op, p, impl, got)
		}
	}
}

// TestOneDNNRefuses: a missing library and one that is not oneDNN are
// errors naming the path and the reason.
func TestOneDNNRefuses(t *testing.T) {
	for path, why := range map[string]string{
		"libsimclr-no-such-dnnl.so.2": "libsimclr-no-such-dnnl.so.2",
		"libm.so.6":                   "has no dnnl_version",
	} {
		err := openOneDNN(path)
		if err != nil && strings.Contains(err.Error(), "without cgo") {
			t.Skip(err)
		}
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), why) {
			t.Errorf("openOneDNN(%s): %v, want an error naming it and %q", path, err, why)
		}
	}
}

// TestParseConvImpl: the names round-trip, others are refused; where
// oneDNN does not load, asking for it is an error naming the library.
func TestParseConvImpl(t *testing.T) {
	for i, n := range ConvImpls {
		if c, err := ParseConvImpl(n); err != nil || c != ConvImpl(i) || c.String() != n {
			t.Errorf("ParseConvImpl(%q) = %v, %v", n, c, err)
		}
	}
	if _, err := ParseConvImpl("mkl"); err == nil || !strings.Contains(err.Error(), "auto, onednn or builtin") {
		t.Errorf("ParseConvImpl(mkl): %v", err)
	}
	if OneDNN() != nil {
		_, err := Open(Options{Conv: ConvOneDNN})
		if err == nil || !strings.Contains(err.Error(), oneDNNLibrary) {
			t.Errorf("Open(ConvOneDNN) without oneDNN: %v, want an error naming %s", err, oneDNNLibrary)
		}
		if be := New(Options{Conv: ConvOneDNN}); be.Err() == nil {
			t.Error("New(ConvOneDNN) without oneDNN: no sticky error")
		}
	}
}

// TestOneDNNDeterministic: at a fixed thread count, each oneDNN op run
// twice on the same inputs gives bit-identical results (the filter
// gradient reduces over threads).
func TestOneDNNDeterministic(t *testing.T) {
	skipWithoutOneDNN(t)
	p := engine.Conv2DParams{N: 8, C: 16, H: 13, W: 13, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	nx, nw, ny := convSizes(p)
	x, w, dy := convInputs(9, p)
	be := New(Options{Threads: 2, Conv: ConvOneDNN})
	xt, wt, dyt := be.New(nx), be.New(nw), be.New(ny)
	be.Upload(xt, x)
	be.Upload(wt, w)
	be.Upload(dyt, dy)
	var first [3][]float32
	for run := 0; run < 2; run++ {
		yt, dxt, dwt := be.New(ny), be.New(nx), be.New(nw)
		be.Conv2DForward(yt, xt, wt, p)
		be.Conv2DBackwardData(dxt, dyt, wt, p)
		be.Conv2DBackwardFilter(dwt, dyt, xt, p)
		if err := be.Err(); err != nil {
			t.Fatal(err)
		}
		got := [3][]float32{Data(yt), Data(dxt), Data(dwt)}
		if run == 0 {
			first = got
			continue
		}
		for i, name := range []string{"forward", "backward data", "filter gradient"} {
			if !slices.Equal(got[i], first[i]) {
				t.Errorf("oneDNN %s differs between two runs", name)
			}
		}
	}
	checkConvImpl(t, be, ConvOneDNN, p)
}

// TestConvAutoChoice: ConvAuto runs a 1-channel stem on the builtin path
// and a 16-channel layer through oneDNN; ConvOneDNN runs both on oneDNN.
func TestConvAutoChoice(t *testing.T) {
	skipWithoutOneDNN(t)
	stem := engine.Conv2DParams{N: 2, C: 1, H: 9, W: 9, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	layer := engine.Conv2DParams{N: 2, C: 16, H: 9, W: 9, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	auto := New(Options{Threads: 1})
	for _, c := range []struct {
		p    engine.Conv2DParams
		want string
	}{{stem, "builtin"}, {layer, "oneDNN"}} {
		if got := auto.ConvImplementation("Conv2DForward", c.p); !strings.HasPrefix(got, c.want) {
			t.Errorf("ConvAuto forward %v: %s, want %s", c.p, got, c.want)
		}
	}
	checkConvImpl(t, New(Options{Threads: 1, Conv: ConvOneDNN}), ConvOneDNN, stem)
}

// TestOneDNNConcurrent: backends of different thread counts used from
// several goroutines at once (oneDNN calls are serialised on one thread)
// give the results of a lone run.
func TestOneDNNConcurrent(t *testing.T) {
	skipWithoutOneDNN(t)
	p := engine.Conv2DParams{N: 3, C: 8, H: 11, W: 11, K: 16, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	nx, nw, ny := convSizes(p)
	x, w, _ := convInputs(10, p)
	want := make([]float32, ny)
	Conv2DForward(want, x, w, p)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			be := New(Options{Threads: 1 + g%2, Conv: ConvOneDNN})
			defer be.Close()
			xt, wt, yt := be.New(nx), be.New(nw), be.New(ny)
			be.Upload(xt, x)
			be.Upload(wt, w)
			for i := 0; i < 5; i++ {
				be.Conv2DForward(yt, xt, wt, p)
				checkClose(t, "concurrent Conv2DForward", Data(yt), want, 1e-5, 1e-5)
			}
		}()
	}
	wg.Wait()
}
