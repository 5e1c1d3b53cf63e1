package vulkan_test

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan"
)

// TestBarriers: independent dispatches get no barrier, a chain of dependent
// ones gets one per link, and reusing released memory still being read
// (write-after-read) gets one too.
// Both memory modes: mapped (CPU devices) and staging (discrete GPUs).
func TestBarriers(t *testing.T) {
	for _, staging := range []bool{false, true} {
		t.Run(fmt.Sprintf("staging=%v", staging), func(t *testing.T) { testBarriers(t, staging) })
	}
}

func testBarriers(t *testing.T, staging bool) {
	d := openDevice(t, vulkan.Options{ForceStaging: staging})
	const n = 1000
	ones := upload(d, fill(n, 1), n)
	x := d.New(n)
	// New zeroes with a queued fill where memory is not mapped (discrete
	// GPUs): the fills below would then follow those writes.
	a, b, c := d.New(n), d.New(n), d.New(n)
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	b0, _, _ := d.Counters()
	d.Fill(a, 1)
	d.Fill(b, 2)
	d.Fill(c, 3)
	if b1, _, _ := d.Counters(); b1 != b0 {
		t.Errorf("%d barriers between independent fills, want 0", b1-b0)
	}
	// A dependent chain: x += ones, 200 times -> every link needs a barrier.
	b1, _, _ := d.Counters()
	const links = 200
	for i := 0; i < links; i++ {
		d.Axpy(x, 1, ones)
	}
	b2, _, _ := d.Counters()
	if got := b2 - b1; got < links-1 || got > links {
		t.Errorf("%d barriers in a chain of %d dependent dispatches", got, links)
	}
	got := download(t, d, x)
	for i, v := range got {
		if v != links {
			t.Fatalf("chain result [%d] = %g, want %d", i, v, links)
		}
	}
	// Write-after-read: y reads src, src is released and its memory reused
	// by a tensor that is written before the read has certainly finished.
	src := upload(d, fill(n, 5), n)
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	y := d.New(n)
	d.Copy(y, src)
	blk, off, _ := d.Placement(src)
	src.Release()
	b3, _, _ := d.Counters()
	reuse := d.New(n) // same range, zeroed by a queued fill
	if blk2, off2, _ := d.Placement(reuse); blk2 != blk || off2 != off {
		t.Fatalf("released range not reused; cannot test write-after-read")
	}
	d.Fill(reuse, -1)
	if b4, _, _ := d.Counters(); b4 == b3 {
		t.Error("no barrier before writing memory still read by a queued dispatch")
	}
	for i, v := range download(t, d, y) {
		if v != 5 {
			t.Fatalf("y[%d] = %g, want 5 (source overwritten before it was read)", i, v)
		}
	}
	for _, t := range []*engine.Tensor{ones, x, a, b, c, y, reuse} {
		t.Release()
	}
}

// TestUploadWaitsForReaders: uploading into a tensor that queued work reads
// must not change what that work sees.
func TestUploadWaitsForReaders(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	const n = 4099
	x := upload(d, fill(n, 1), n)
	y := d.New(n)
	d.Copy(y, x)
	d.Upload(x, fill(n, 2))
	for i, v := range download(t, d, y) {
		if v != 1 {
			t.Fatalf("y[%d] = %g, want 1: Upload raced with a queued read", i, v)
		}
	}
	for i, v := range download(t, d, x) {
		if v != 2 {
			t.Fatalf("x[%d] = %g, want 2", i, v)
		}
	}
	x.Release()
	y.Release()
}

// TestLongRecordingIsSplit: more dispatches than one submit takes are
// submitted in pieces and still give the right result.
func TestLongRecordingIsSplit(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	x := d.New(7)
	one := upload(d, fill(7, 1), 7)
	_, _, s0 := d.Counters()
	const steps = 2500
	for i := 0; i < steps; i++ {
		d.Axpy(x, 1, one)
	}
	got := download(t, d, x)
	if _, _, s1 := d.Counters(); s1-s0 < 3 {
		t.Errorf("%d submits for %d dispatches, want >= 3", s1-s0, steps)
	}
	for i, v := range got {
		if v != steps {
			t.Fatalf("[%d] = %g, want %d", i, v, steps)
		}
	}
	x.Release()
	one.Release()
}

// TestGuardBand: the guard-band helper catches writes past either end of an
// output, and Gemm / SumRows / elementwise ops leave the guards intact.
func TestGuardBand(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	const s = conformance.Sentinel
	g, err := d.NewGuarded(s, 61, 13, 7)
	if err != nil {
		t.Fatal(err)
	}
	blkLo, offLo, bytesLo := d.Placement(g.Lo)
	blkT, offT, bytesT := d.Placement(g.T)
	blkHi, offHi, _ := d.Placement(g.Hi)
	if blkLo != blkT || blkT != blkHi || offLo+bytesLo != offT || offT+bytesT != offHi {
		t.Fatalf("guards not adjacent: lo (%d,%d,+%d) t (%d,%d,+%d) hi (%d,%d)", blkLo, offLo, bytesLo, blkT, offT, bytesT, blkHi, offHi)
	}
	a := upload(d, fill(13*5, 0.5), 13, 5)
	b := upload(d, fill(5*7, 2), 5, 7)
	d.Gemm(false, false, 13, 7, 5, 1, a, b, 0, g.T)
	if err := g.Check(); err != nil {
		t.Errorf("Gemm: %v", err)
	}
	for i, v := range download(t, d, g.T) {
		if v != 5 {
			t.Fatalf("Gemm [%d] = %g, want 5", i, v)
		}
	}
	d.Fill(g.T, 3)
	d.ReLUForward(g.T, g.T)
	if err := g.Check(); err != nil {
		t.Errorf("Fill/ReLU: %v", err)
	}
	// The helper must notice a write past the end: write 13*7+1 values
	// through a bigger Copy into the region that starts at T.
	g.Release()
	a.Release()
	b.Release()

	g2, err := d.NewGuarded(s, 5, 8)
	if err != nil {
		t.Fatal(err)
	}
	bad := make([]float32, 5)
	if err := d.Download(g2.Hi, bad); err != nil {
		t.Fatal(err)
	}
	bad[0] = 1 // what an off-by-one kernel would leave
	d.Upload(g2.Hi, bad)
	if err := g2.Check(); err == nil {
		t.Error("Check did not notice an overwritten guard")
	}
	g2.Release()
	if st := d.MemStats(); st.Tensors != 0 {
		t.Errorf("%d tensors alive after releasing everything", st.Tensors)
	}
}

// TestDeterministic: reductions and GEMM give bit-identical results when
// run twice.
func TestDeterministic(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	const n = 1031 * 97
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.Sin(float64(i)))
	}
	x := upload(d, v, n)
	r1, r2 := d.New(1), d.New(1)
	d.SumSquares(r1, x)
	d.SumSquares(r2, x)
	c1, c2 := d.New(97), d.New(97)
	d.SumCols(c1, x.Reshape(1031, 97), 1031, 97)
	d.SumCols(c2, x.Reshape(1031, 97), 1031, 97)
	if a, b := download(t, d, r1)[0], download(t, d, r2)[0]; a != b {
		t.Errorf("SumSquares %g then %g", a, b)
	}
	a, b := download(t, d, c1), download(t, d, c2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("SumCols [%d]: %g then %g", i, a[i], b[i])
		}
	}
	for _, t := range []*engine.Tensor{x, r1, r2, c1, c2} {
		t.Release()
	}
}

// TestPushConstantRangeChecked: a push-constant struct larger than the
// range panics with an engine/vulkan message.
func TestPushConstantRangeChecked(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	defer func() {
		r := recover()
		s, _ := r.(string)
		if r == nil || len(s) < 14 || s[:14] != "engine/vulkan:" {
			t.Errorf("recovered %v, want an engine/vulkan panic", r)
		}
	}()
	d.PushTooLarge()
}

// TestShapeMisusePanics: wrong sizes panic with an "engine: <op>:" message.
func TestShapeMisusePanics(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	a, b := d.New(3), d.New(4)
	defer a.Release()
	defer b.Release()
	for name, f := range map[string]func(){
		"Add":        func() { d.Add(a, a, b) },
		"SumRows":    func() { d.SumRows(a, b, 2, 3) },
		"Gemm":       func() { d.Gemm(false, false, 2, 2, 2, 1, a, b, 0, b) },
		"SumSquares": func() { d.SumSquares(b, a) },
	} {
		func() {
			defer func() {
				s, _ := recover().(string)
				if len(s) < 8 || s[:8] != "engine: " {
					t.Errorf("%s: recovered %q, want an \"engine: %s: ...\" panic", name, s, name)
				}
			}()
			f()
		}()
	}
}

// TestProfile: with profiling on, each shader's dispatches are counted and
// timed.
func TestProfile(t *testing.T) {
	d := openDevice(t, vulkan.Options{})
	if err := d.Profiler().Enable(true); err != nil {
		t.Skipf("no timestamps: %v", err)
	}
	a := upload(d, fill(64*64, 1), 64, 64)
	c := d.New(64, 64)
	for i := 0; i < 3; i++ {
		d.Gemm(false, false, 64, 64, 64, 1, a, a, 0, c)
	}
	d.Add(c, c, a)
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	prof := d.Profiler().Ops()
	found := map[string]vulkan.OpTime{}
	for _, p := range prof {
		found[p.Op] = p
	}
	var g vulkan.OpTime
	for name, p := range found {
		if strings.HasPrefix(name, "gemm_") {
			g = p
		}
	}
	if g.Count != 3 || g.Total <= 0 {
		t.Errorf("gemm profile %+v, want 3 dispatches with time > 0 (all: %+v)", g, prof)
	}
	if found["add_f32"].Count != 1 { // the float32 variant of add.comp
		t.Errorf("add_f32 profile %+v (all: %+v)", found["add_f32"], prof)
	}
	d.Profiler().Enable(false)
	a.Release()
	c.Release()
}

// TestGCStress guards the binding fix (third_party/vulkan-go/NOTES.md):
// pipelines are created and ops dispatched while another goroutine forces
// garbage collections; freed-too-early C copies of create-infos, descriptor
// writes, barriers or submits would crash or corrupt results.
func TestGCStress(t *testing.T) {
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			runtime.GC()
		}
	}()
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	deadline := time.Now().Add(3 * time.Second)
	if testing.Short() {
		deadline = time.Now().Add(time.Second)
	}
	for round := 0; time.Now().Before(deadline); round++ {
		// A fresh device each round: every pipeline is created again.
		func() {
			d := openDevice(t, vulkan.Options{GemmVariant: []string{"regblock", "tiled"}[round%2]})
			m, n, k := 3+round%5, 17, 9
			a := upload(d, fill(m*k, 1), m, k)
			b := upload(d, fill(k*n, 2), k, n)
			c := d.New(m, n)
			s := d.New(1)
			for i := 0; i < 20; i++ {
				d.Gemm(false, i%2 == 1, m, n, k, 1, a, b, 0, c)
				d.Axpy(c, 0.5, c)
				d.SumSquares(s, c)
			}
			want := float32(2*k) * 1.5
			for i, v := range download(t, d, c) {
				if v != want {
					t.Fatalf("round %d: c[%d] = %g, want %g", round, i, v, want)
				}
			}
			for _, x := range []*engine.Tensor{a, b, c, s} {
				x.Release()
			}
		}()
	}
}

func fill(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func nan() float64 { var z float64; return z / z }
