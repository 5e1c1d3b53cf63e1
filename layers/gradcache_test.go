package layers_test

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/layers"
	"simclr-vk/layers/layerstest"
)

// noBNModel is a model whose steps run a small network without batch
// norm (conv-ReLU-conv/2-ReLU-pool-linear, random weights from seed 5):
// its gradients do not depend on how the batch is chunked.
func noBNModel(t *testing.T, b engine.Backend) *layers.Model {
	t.Helper()
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	net := &layers.Sequential{Mods: []layers.Module{
		layers.NewConv2d(b, "c1", 3, 6, 3, 1, 1, true), layers.ReLU{},
		layers.NewConv2d(b, "c2", 6, 8, 3, 2, 1, false), layers.ReLU{},
		layers.GlobalAvgPool{}, layers.NewLinear(b, "fc", 8, 16, true),
	}}
	layerstest.RandomParams(b, net, 5, 0.4)
	t.Cleanup(func() {
		for _, p := range layers.Params(net) {
			p.Value.Release()
			p.Grad.Release()
		}
	})
	layers.SetNet(m, net)
	return m
}

// TestChunkedGradientsWithoutBN: without batch norm the chunked step's
// loss and gradients equal the unchunked step's (float summation order
// aside) for chunks that divide the 6 images and chunks that do not.
func TestChunkedGradientsWithoutBN(t *testing.T) {
	b := cpu.New(cpu.Options{Threads: 1})
	const n, hw = 6, 8
	x := upload(b, randomViews(3, n, 3, hw, hw, 0.3), 2*n, 3, hw, hw)
	defer x.Release()
	grads := func(mb int) (float32, [][]float32) {
		m := noBNModel(t, b)
		defer m.Release()
		if err := m.SetMicroBatch(mb); err != nil {
			t.Fatal(err)
		}
		loss, _, err := m.Step(x, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		var g [][]float32
		for _, p := range m.Params() {
			g = append(g, download(t, b, p.Grad))
		}
		return loss, g
	}
	refLoss, ref := grads(0)
	for _, mb := range []int{1, 2, 3, 4, 5} {
		loss, got := grads(mb)
		if math.Abs(float64(loss-refLoss)) > 1e-5*(1+math.Abs(float64(refLoss))) {
			t.Errorf("chunks of %d: loss %v, unchunked %v", mb, loss, refLoss)
		}
		for i := range ref {
			gmax := 0.0
			for _, v := range ref[i] {
				gmax = math.Max(gmax, math.Abs(float64(v)))
			}
			conformance.Close(t, fmt.Sprintf("chunks of %d: gradient %d", mb, i), got[i], ref[i], conformance.Tol{Atol: 1e-5 * gmax, Rtol: 1e-4})
		}
	}
}

// TestChunkedMatchesBNGroupsCPU: with BN, 8 images in chunks of 4 train
// like the unchunked step with BN groups of 4 images (3 LARS steps).
// Chunks of 2 images agree at the first step but part beyond the
// tolerance by the third: BN over the 4 views of 2 images (the head's
// BN1d sees 4 values per channel) amplifies float32 order differences.
func TestChunkedMatchesBNGroupsCPU(t *testing.T) {
	for _, msg := range layerstest.ChunkedMatchesGroups(t, newCPU(t), 8, 4, 8, 3) {
		t.Error(msg)
	}
}

// TestChunkedRunningStatsCPU: running statistics move once per chunk (4
// chunks of 2, and 3 chunks of 3, 3, 1 images).
func TestChunkedRunningStatsCPU(t *testing.T) {
	layerstest.ChunkedRunningStats(t, newCPU(t), 8, 2, 8)
	layerstest.ChunkedRunningStats(t, newCPU(t), 7, 3, 8)
}

// TestChunkedMemoryBoundedCPU: 16 images in chunks of 2 peak below 1.3x
// the memory of a 2-image step.
func TestChunkedMemoryBoundedCPU(t *testing.T) {
	layerstest.ChunkedMemoryBounded(t, newCPU(t), 2, 16)
}

// TestChunkedDataParallel: world 2, 8 images per rank in chunks of 4
// (global batch = ranks x chunks): with per-device BN against a world of
// one unchunked with BN groups of 4; with global BN against a world of one
// in chunks of 8 holding the two ranks' chunks (running statistics
// compared too).
func TestChunkedDataParallel(t *testing.T) {
	for _, global := range []bool{false, true} {
		t.Run(fmt.Sprint("globalBN_", global), func(t *testing.T) {
			for _, msg := range layerstest.DataParallel(t, newCPU, layerstest.DataParallelCase{World: 2, Images: 16, HW: 8, GlobalBN: global, Steps: 3, MicroBatch: 4}) {
				t.Error(msg)
			}
		})
	}
}

// TestMicroBatchErrors: clear errors for options that cannot work.
func TestMicroBatchErrors(t *testing.T) {
	b := newCPU(t)
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	if err := m.SetMicroBatch(-1); err == nil || !strings.Contains(err.Error(), "negative micro-batch -1") {
		t.Errorf("SetMicroBatch(-1): %v", err)
	}
	if err := m.SetParallel(layers.Parallel{BNGroups: 2}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetMicroBatch(2); err == nil || !strings.Contains(err.Error(), "choose one") {
		t.Errorf("micro-batch with BN groups: %v", err)
	}
}

// TestFitMicroBatch: the measured footprint gives a chunk that grows with
// the budget, and shrinks with the bytes held beside each chunk, and
// leaves the model's state alone.
func TestFitMicroBatch(t *testing.T) {
	b := newCPU(t)
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	h0, err := m.StateHash()
	if err != nil {
		t.Fatal(err)
	}
	mb, per, err := m.FitMicroBatch(3, 16, 16, 1<<40, 1000, nil)
	if err != nil || mb != 1000 {
		t.Fatalf("a huge budget: micro-batch %d (%d B per image), %v; want the 1000 images", mb, per, err)
	}
	if mb, _, err = m.FitMicroBatch(3, 16, 16, 100*per, 1000, nil); err != nil || mb < 50 || mb > 100 {
		t.Errorf("a budget of 100 images' bytes: micro-batch %d, %v", mb, err)
	}
	// Held bytes: 50 images' (45 fewer images fit in the 9/10), and one
	// image's step per image (n + 9/10 n fit where mb did).
	if got, _, err := m.FitMicroBatch(3, 16, 16, 100*per, 1000, func(int) int64 { return 50 * per }); err != nil || got < mb-46 || got > mb-44 {
		t.Errorf("a budget of 100 images' bytes, 50 held: micro-batch %d, %v; want %d within 1", got, err, mb-45)
	}
	if got, _, err := m.FitMicroBatch(3, 16, 16, 100*per, 1000, func(n int) int64 { return int64(n) * per }); err != nil || got < mb*10/19-1 || got > mb*10/19+1 {
		t.Errorf("a budget of 100 images' bytes, as much again held per image: micro-batch %d, %v; want %d within 1", got, err, mb*10/19)
	}
	if _, _, err = m.FitMicroBatch(3, 16, 16, 100*per, 1000, func(int) int64 { return 100 * per }); err == nil || !strings.Contains(err.Error(), "not even one image fits") {
		t.Errorf("a budget of 100 images' bytes, all held: %v", err)
	}
	if _, _, err = m.FitMicroBatch(3, 16, 16, per/2, 1000, nil); err == nil || !strings.Contains(err.Error(), "not even one image fits") {
		t.Errorf("half an image's bytes: %v", err)
	}
	if h, err := m.StateHash(); err != nil || h != h0 {
		t.Errorf("FitMicroBatch changed the model's state (%v)", err)
	}
	t.Logf("%d B per 16x16 image", per)

	// Two ranks with different budgets agree on the smaller choice.
	comms := dist.Local(2)
	got := make([]int, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newCPU(t)
			m, err := layers.NewModel(b, tinyConfig("resnet18", layers.StemCIFAR))
			if err == nil {
				defer m.Release()
				if err = m.SetParallel(layers.Parallel{Comm: comms[r]}); err == nil {
					got[r], _, err = m.FitMicroBatch(3, 16, 16, int64(100-60*r)*per, 1000, nil)
				}
			}
			errs[r] = err
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || got[0] != got[1] || got[1] > 40 || got[1] < 1 {
		t.Errorf("ranks with budgets of 100 and 40 images: micro-batches %v, errors %v", got, errs)
	}
}

// TestStepHost: StepHost on the host's views, and StepViews on views a
// function renders a chunk at a time (here: uploads the chunk's rows), are
// Step on the same views uploaded, bit for bit, in chunks (7 images in
// chunks of 3) and whole; StepViews asks for each chunk in order, twice
// (the two forwards), or for the whole batch once; a wrong length is an
// error.
func TestStepHost(t *testing.T) {
	b := newCPU(t)
	const n, c, hw = 7, 3, 8
	per := c * hw * hw
	xs := randomViews(4, n, c, hw, hw, 0.3)
	for _, mb := range []int{0, 3} {
		var loss [3]float32
		var grads [3][][]float32
		var asked []string
		for i := range 3 {
			m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
			if err := m.SetMicroBatch(mb); err != nil {
				t.Fatal(err)
			}
			var err error
			switch i {
			case 0:
				x := upload(b, xs, 2*n, c, hw, hw)
				loss[i], _, err = m.Step(x, 0.5)
				x.Release()
			case 1:
				loss[i], _, err = m.StepHost(xs, [4]int{2 * n, c, hw, hw}, 0.5)
			case 2:
				loss[i], _, err = m.StepViews(n, hw, hw, func(x *engine.Tensor, lo, k int) {
					asked = append(asked, fmt.Sprintf("%d+%d", lo, k))
					if s := x.Shape(); len(s) != 4 || s[0] != 2*k || s[1] != c || s[2] != hw || s[3] != hw {
						t.Fatalf("render(%d, %d) into %v", lo, k, s)
					}
					rows := append(append([]float32(nil), xs[lo*per:(lo+k)*per]...), xs[(n+lo)*per:(n+lo+k)*per]...)
					b.Upload(x, rows)
				}, 0.5)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range m.Params() {
				grads[i] = append(grads[i], download(t, b, p.Grad))
			}
			m.Release()
		}
		for i, how := range []string{"", "from the host", "rendered by chunk"} {
			if i == 0 {
				continue
			}
			if loss[0] != loss[i] {
				t.Errorf("micro-batch %d: loss %v %s, %v from the device", mb, loss[i], how, loss[0])
			}
			for j := range grads[0] {
				conformance.Close(t, fmt.Sprintf("micro-batch %d: gradient %d %s", mb, j, how), grads[i][j], grads[0][j], conformance.Tol{})
			}
		}
		want := "0+7"
		if mb == 3 {
			want = "0+3 3+3 6+1 0+3 3+3 6+1"
		}
		if got := strings.Join(asked, " "); got != want {
			t.Errorf("micro-batch %d: StepViews rendered images %s, want %s", mb, got, want)
		}
	}
	m := newModel(t, b, tinyConfig("resnet18", layers.StemCIFAR))
	defer m.Release()
	if _, _, err := m.StepHost(xs[1:], [4]int{2 * n, c, hw, hw}, 0.5); err == nil || !strings.Contains(err.Error(), "values for views") {
		t.Errorf("short views: %v", err)
	}
}

// TestChunkedSecondForwardRepeatsFirst: the recorded forward of each chunk
// gives the z of the first pass, on which the loss and dz were computed,
// bit for bit (same inputs, weights and batch statistics; the running
// statistics the first pass leaves alone are not read in training mode):
// 7 images in chunks of 3 (a short last chunk), on one rank and on two
// with global BN (statistics merged across the ranks in both passes), the
// CPU backend on 2 threads.
func TestChunkedSecondForwardRepeatsFirst(t *testing.T) {
	const n, mb, hw = 7, 3, 8
	for _, world := range []int{1, 2} {
		dist.RunLocal(world, func(comm dist.Comm) {
			r := comm.Rank()
			b := cpu.New(cpu.Options{Threads: 2})
			m, err := layers.NewModel(b, tinyConfig("resnet18", layers.StemCIFAR))
			if err != nil {
				t.Error(err)
				return
			}
			defer m.Release()
			if err := m.SetParallel(layers.Parallel{Comm: comm, GlobalBN: true}); err != nil {
				t.Error(err)
				return
			}
			if err := m.SetMicroBatch(mb); err != nil {
				t.Error(err)
				return
			}
			seen := 0
			layers.SetChunkZHook(m, func(k int, first, again []float32) {
				seen++
				for i := range first {
					if math.Float32bits(first[i]) != math.Float32bits(again[i]) {
						t.Errorf("world %d rank %d chunk %d: z[%d] %v in the second forward, %v in the first", world, r, k, i, again[i], first[i])
						return
					}
				}
			})
			if _, _, err := m.StepHost(randomViews(uint64(5+r), n, 3, hw, hw, 0.3), [4]int{2 * n, 3, hw, hw}, 0.5); err != nil {
				t.Error(err)
			}
			if want := (n + mb - 1) / mb; seen != want {
				t.Errorf("world %d rank %d: %d chunks compared, want %d", world, r, seen, want)
			}
		})
	}
}
