package layerstest

import (
	"fmt"
	"math"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/layers"
	"simclr-vk/layers/optim"
)

// DataParallelCase is one comparison of a data-parallel run against a world
// of one on the same global batch.
type DataParallelCase struct {
	World    int    // ranks (dist.Local, one goroutine and one backend each)
	Images   int    // global batch N (images; 2N views), a multiple of World
	HW       int    // image side
	GlobalBN bool   // global BN; false: per-device BN against BN groups of N/World
	Steps    int    // LARS steps
	Seed     uint64 // of the images (0: 11)
	// BucketFloats is the ranks' gradient all-reduce bucket (0: default).
	BucketFloats int
	// Mutate, when set, is applied to every rank's model (a planted bug
	// the comparison must catch).
	Mutate func(*layers.Model)
	// MicroBatch > 0: the ranks step in chunks of MicroBatch images
	// (gradient caching; dividing each rank's images). With per-device BN
	// the world of one takes BN groups of MicroBatch images and the
	// running statistics (moved once per chunk by the ranks, once per
	// step with groups) are not compared. With global BN, chunk k's
	// statistics are those of the ranks' chunks k together: the world of
	// one steps in chunks of World*MicroBatch images on the global batch
	// reordered so that its chunk k holds those images, and everything,
	// running statistics included, is compared.
	MicroBatch int
}

// rankRun is what one rank (or the world of one) recorded.
type rankRun struct {
	loss, top1 []float32
	grads      [][]float32 // after step 0
	buffers    [][]float32 // BN running statistics after step 0
	params     [][]float32 // after the last step
	init       [][]float32 // before the first step
	err        error
}

// runWorld trains TinyConfig's ResNet-18 (CIFAR stem) for c.Steps LARS
// steps on the global batch xs (2N views: view 1 of the N images, then
// view 2) on rank r of comm, which takes the images r*n .. r*n+n-1.
func runWorld(b engine.Backend, comm dist.Comm, par layers.Parallel, micro int, c DataParallelCase, xs []float32, mutate func(*layers.Model)) (run rankRun) {
	defer func() {
		if p := recover(); p != nil && run.err == nil {
			run.err = fmt.Errorf("panic: %v", p)
		}
	}()
	cfg := TinyConfig("resnet18", layers.StemCIFAR)
	m, err := layers.NewModel(b, cfg)
	if err != nil {
		return rankRun{err: err}
	}
	defer m.Release()
	par.Comm = comm
	if err := m.SetParallel(par); err != nil {
		return rankRun{err: err}
	}
	if err := m.SetMicroBatch(micro); err != nil {
		return rankRun{err: err}
	}
	if mutate != nil {
		mutate(m)
	}
	opt, err := optim.New(b, m.Params(), optim.DefaultConfig(optim.LARS))
	if err != nil {
		return rankRun{err: err}
	}
	defer opt.Release()
	w, r := comm.Size(), comm.Rank()
	per := cfg.Encoder.InChannels * c.HW * c.HW
	n := c.Images / w
	local := make([]float32, 0, 2*n*per)
	for v := 0; v < 2; v++ {
		lo := (v*c.Images + r*n) * per
		local = append(local, xs[lo:lo+n*per]...)
	}
	x := b.New(2*n, cfg.Encoder.InChannels, c.HW, c.HW)
	defer x.Release()
	b.Upload(x, local)
	get := func(t *engine.Tensor) []float32 {
		h := make([]float32, t.Numel())
		if e := b.Download(t, h); e != nil && run.err == nil {
			run.err = e
		}
		return h
	}
	for _, p := range m.Params() {
		run.init = append(run.init, get(p.Value))
	}
	for s := 0; s < c.Steps; s++ {
		loss, top1, err := m.Step(x, 0.5)
		if err != nil {
			return rankRun{err: err}
		}
		run.loss, run.top1 = append(run.loss, loss), append(run.top1, top1)
		if s == 0 {
			for _, p := range m.Params() {
				run.grads = append(run.grads, get(p.Grad))
			}
			for _, bf := range m.Buffers() {
				if !bf.IsScalar() {
					run.buffers = append(run.buffers, get(bf.Value))
				}
			}
		}
		opt.Step(0.01)
		if err := m.CheckInSync(); err != nil {
			return rankRun{err: fmt.Errorf("after step %d: %w", s, err)}
		}
	}
	if (m.CommTime() > 0) != (w > 1) {
		return rankRun{err: fmt.Errorf("CommTime %v in a world of %d", m.CommTime(), w)}
	}
	for _, p := range m.Params() {
		run.params = append(run.params, get(p.Value))
	}
	return run
}

// chunkMajor reorders the global batch xs (2N views of c.HW x c.HW x 3)
// so that chunk k of c.World*c.MicroBatch images holds the images of
// every rank's chunk k in rank order: global image r*n + k*mb + i moves
// to k*World*mb + r*mb + i, in both views.
func chunkMajor(xs []float32, c DataParallelCase) []float32 {
	per := 3 * c.HW * c.HW
	n, mb := c.Images/c.World, c.MicroBatch
	out := make([]float32, len(xs))
	for v := 0; v < 2; v++ {
		for r := 0; r < c.World; r++ {
			for k := 0; k < n/mb; k++ {
				from := v*c.Images + r*n + k*mb
				to := v*c.Images + k*c.World*mb + r*mb
				copy(out[to*per:(to+mb)*per], xs[from*per:(from+mb)*per])
			}
		}
	}
	return out
}

// views checks that c's images split over its ranks and returns its
// global batch (2N views of HW x HW x 3, from c.Seed or 11).
func (c DataParallelCase) views(t testing.TB) []float32 {
	t.Helper()
	if c.Images%c.World != 0 {
		t.Fatalf("%d images do not split over %d ranks", c.Images, c.World)
	}
	if c.Seed == 0 {
		c.Seed = 11
	}
	return RandomViews(c.Seed, c.Images, 3, c.HW, c.HW, 0.3)
}

// recorder collects a comparison's mismatches instead of failing a test.
type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// DataParallel runs c on c.World ranks of dist.Local, each on a backend
// of its own from newBackend, against a world of one (also from
// newBackend) on the same global batch with the same seed, and returns
// every mismatch beyond the tolerances: the loss and top-1 of each step
// (1e-4 relative at step 0, 1e-3 later), every parameter gradient (2e-3 of
// the largest entry) and BN running statistic (1e-4) after the first step,
// and every parameter after the last (3e-3 of the largest entry): the
// tolerances of MatchesReference, since the two runs differ only by float
// summation order; and every parameter's update over the steps (2e-2 of
// the largest update, closeUpdates: the only check of the later steps'
// conv and linear weight gradients). With c.GlobalBN the world of one uses plain BN; without,
// BN groups of N/World images, as each rank's per-device BN sees. Every
// rank's state must hash the same after every step (Model.CheckInSync).
// Setup failures and rank errors fail t.
func DataParallel(t testing.TB, newBackend func(testing.TB) engine.Backend, c DataParallelCase) []string {
	t.Helper()
	xs := c.views(t)
	refPar := layers.Parallel{}
	if !c.GlobalBN {
		refPar.BNGroups = c.World
	}
	refXs, refMicro := xs, 0
	if c.MicroBatch > 0 {
		if c.Images%(c.World*c.MicroBatch) != 0 {
			t.Fatalf("micro-batch %d does not divide each rank's %d images", c.MicroBatch, c.Images/c.World)
		}
		if c.GlobalBN {
			refXs, refMicro = chunkMajor(xs, c), c.World*c.MicroBatch
		} else {
			refPar.BNGroups = c.Images / c.MicroBatch
		}
	}
	ref := runWorld(newBackend(t), dist.Single{}, refPar, refMicro, c, refXs, nil)
	if ref.err != nil {
		t.Fatalf("world of one: %v", ref.err)
	}
	runs := make([]rankRun, c.World)
	backends := make([]engine.Backend, c.World)
	for r := range backends {
		backends[r] = newBackend(t)
	}
	dist.RunLocal(c.World, func(comm dist.Comm) {
		r := comm.Rank()
		runs[r] = runWorld(backends[r], comm, layers.Parallel{GlobalBN: c.GlobalBN, BucketFloats: c.BucketFloats}, c.MicroBatch, c, xs, c.Mutate)
	})
	rec := &recorder{TB: t}
	for r, run := range runs {
		if run.err != nil {
			t.Fatalf("rank %d of %d: %v", r, c.World, run.err)
		}
		for s := range ref.loss {
			tol := 1e-4
			if s > 0 {
				tol = 1e-3
			}
			if math.Abs(float64(run.loss[s]-ref.loss[s])) > tol*(1+math.Abs(float64(ref.loss[s]))) {
				rec.Errorf("rank %d step %d: loss %v, world of one %v", r, s, run.loss[s], ref.loss[s])
			}
			if math.Abs(float64(run.top1[s]-ref.top1[s])) > 1e-6 {
				rec.Errorf("rank %d step %d: top-1 %v, world of one %v", r, s, run.top1[s], ref.top1[s])
			}
		}
		gmax := 0.0
		for _, g := range ref.grads {
			gmax = math.Max(gmax, maxAbs(g))
		}
		for i, g := range ref.grads {
			closeTol(rec, fmt.Sprintf("rank %d: gradient %d", r, i), run.grads[i], g, 2e-3, 1e-3*gmax)
		}
		for i, bf := range ref.buffers {
			if c.MicroBatch > 0 && !c.GlobalBN {
				break
			}
			closeTol(rec, fmt.Sprintf("rank %d: BN running statistic %d", r, i), run.buffers[i], bf, 1e-4, 0)
		}
		for i, p := range ref.params {
			closeTol(rec, fmt.Sprintf("rank %d: parameter %d after %d LARS steps", r, i, c.Steps), run.params[i], p, 3e-3, 0)
			closeUpdates(rec, fmt.Sprintf("rank %d: update of parameter %d by %d LARS steps", r, i, c.Steps), run.params[i], run.init[i], p, ref.init[i], 2e-2, 1e-5)
		}
	}
	t.Logf("world %d (global BN %v): loss %v (world of one %v), %d mismatches", c.World, c.GlobalBN, runs[0].loss, ref.loss, len(rec.msgs))
	return rec.msgs
}
