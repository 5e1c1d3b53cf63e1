package layers

import (
	"fmt"
	"math"
	"time"

	"simclr-vk/dist"
	"simclr-vk/engine"
)

// Parallel configures data-parallel training of a Model (SetParallel): the
// world it trains in and how its batch norm takes statistics. Every rank
// holds the same model and steps on its own n images (2n views, laid out
// like a single-device batch: view 1 of its n images, then view 2); rank
// r's images are the global images r*n .. r*n+n-1 of the global batch of
// N = n*world.
type Parallel struct {
	// Comm is the world; nil means dist.Single (one process, no
	// communication).
	Comm dist.Comm
	// GlobalBN takes the training-mode batch statistics over the global
	// batch (synchronised BN, the reference's choice): every rank's
	// per-channel (mean, M2) all-gathered and merged in rank order in
	// float64 in the forward pass, (sum dy, sum dy*xhat) all-reduced in
	// float64 in the backward pass; the running statistics are then the
	// same on every rank. Without it (or in a world of one) each rank
	// normalises with its own rows and the running statistics are averaged
	// over the ranks after each step.
	GlobalBN bool
	// BNGroups > 1 cuts this process's batch into BNGroups groups of
	// N/BNGroups consecutive images, both views of each, each normalised
	// with its own statistics, the running statistics moving towards the
	// groups' average: a world of one then reproduces per-device BN of a
	// world of BNGroups ranks (and gradient caching's chunks can reuse it).
	// Not with GlobalBN in a world of more than one.
	BNGroups int
	// BucketFloats is the size of the host buffers the gradient all-reduce
	// packs parameters into (0: 1<<18 floats, 1 MiB; a larger parameter
	// gets a bucket of its own). A bucket's all-reduce starts once all its
	// gradients are final, so the buckets must be small against the model
	// for the overlap to start early: at 1 MiB a ResNet-18 of width 0.25
	// (0.7M parameters) fills three, and one of width 1 (11M) about 43,
	// whose extra collectives cost little next to their transfer.
	BucketFloats int
	// Overlap: when the gradient all-reduce runs (see gradSync). The
	// default, OverlapAuto, starts each bucket's all-reduce during the
	// backward pass as soon as its gradients are final, where the Comm
	// has IallreduceSum and the backend allows (newGradSync); OverlapOff
	// waits for the end of the backward pass. The result is the same sum
	// either way (bit for bit with dist.Local and with two MPI ranks).
	Overlap Overlap
}

// parallel is the tape's view of Parallel while a Step or Loss runs.
type parallel struct {
	comm   dist.Comm
	global bool // global BN in a world of more than one
	groups int  // BN groups within this process (1: none)
	on     bool // set during Step and Loss only (never Project / Features)
	err    error
	grads  *gradSync // the gradient all-reduce (nil in a world of one)
	// partial: a chunked step's backward pass before the last chunk,
	// whose gradients later chunks add to (not final).
	partial bool
	// Planted bugs (export_test.go) that the overlap tests must catch:
	// buckets started at a parameter's first gradient write instead of
	// its last, or in every chunk's backward pass instead of the last.
	firstWrite, everyChunk bool
}

// overlapped is the gradient all-reduce to start during this backward
// pass, or nil: not a step's backward, a world of one, no overlap, or a
// chunk whose gradients are not final.
func (p *parallel) overlapped() *gradSync {
	if !p.on || p.grads == nil || p.grads.async == nil || p.partial && !p.everyChunk {
		return nil
	}
	return p.grads
}

// splitBN reports whether training-mode BN takes the parts path.
func (p *parallel) splitBN() bool { return p.on && (p.global || p.groups > 1) }

// fail keeps the first communication error of the pass.
func (p *parallel) fail(err error) {
	if p.err == nil && err != nil {
		p.err = err
	}
}

// SetParallel makes the model train in p.Comm's world with p's batch norm;
// the zero Parallel is one process. Every rank must set the same options.
func (m *Model) SetParallel(p Parallel) error {
	if p.Comm == nil {
		p.Comm = dist.Single{}
	}
	if p.BNGroups < 0 || p.BucketFloats < 0 {
		return fmt.Errorf("layers: SetParallel: negative BNGroups %d or BucketFloats %d", p.BNGroups, p.BucketFloats)
	}
	if p.Overlap < OverlapAuto || p.Overlap > OverlapOn {
		return fmt.Errorf("layers: SetParallel: %v is not an overlap mode", p.Overlap)
	}
	if p.GlobalBN && p.Comm.Size() > 1 && p.BNGroups > 1 {
		return fmt.Errorf("layers: SetParallel: BN groups (%d) with global BN in a world of %d: choose one", p.BNGroups, p.Comm.Size())
	}
	if p.BucketFloats == 0 {
		p.BucketFloats = 1 << 18
	}
	m.par = p
	m.comm = &timedComm{Comm: p.Comm}
	m.tape.par = parallel{comm: m.comm, global: p.GlobalBN && p.Comm.Size() > 1, groups: max(p.BNGroups, 1)}
	if p.Comm.Size() > 1 {
		m.tape.par.grads = newGradSync(m.b, m.comm, p.Overlap, p.BucketFloats, m.tape.par.global)
	}
	return nil
}

// Parallel returns the model's data-parallel options.
func (m *Model) Parallel() Parallel { return m.par }

// world is the model's communicator, timed (dist.Single when none was
// set).
func (m *Model) world() dist.Comm {
	switch {
	case m.comm != nil:
		return m.comm
	case m.par.Comm != nil: // a Model built without SetParallel (tests)
		return m.par.Comm
	}
	return dist.Single{}
}

// CommTime is the wall time the model's steps have been blocked on
// communication since SetParallel: in the collectives (Step's and Loss's
// all-gathers of z and of the BN statistics, the BN all-reduces, the
// gradient all-reduces run after the backward pass; not CheckInSync's),
// waiting for the slowest rank included, and, where the gradient
// all-reduce overlaps the backward pass (Parallel.Overlap), in starting
// its buckets and waiting for them after the pass: the exposed
// communication time, not the time the overlapped all-reduces ran behind
// the computation. Zero in a world of one. Training reports it per step
// as the communication time.
func (m *Model) CommTime() time.Duration {
	if m.comm == nil {
		return 0
	}
	return m.comm.spent
}

// timedComm adds the time of the data collectives to spent (nothing in a
// world of one, where they are copies: the gradient-caching step calls the
// gathered loss's collectives there too).
type timedComm struct {
	dist.Comm
	spent time.Duration
}

func (c *timedComm) time(f func() error) error {
	if c.Size() == 1 {
		return f()
	}
	t0 := time.Now()
	err := f()
	c.spent += time.Since(t0)
	return err
}

func (c *timedComm) AllreduceSum(buf []float32) error {
	return c.time(func() error { return c.Comm.AllreduceSum(buf) })
}

func (c *timedComm) AllreduceSum64(buf []float64) error {
	return c.time(func() error { return c.Comm.AllreduceSum64(buf) })
}

func (c *timedComm) Allgather(send, recv []float32) error {
	return c.time(func() error { return c.Comm.Allgather(send, recv) })
}

// checkBatch validates the local batch x against the parallel options.
func (m *Model) checkBatch(x *engine.Tensor) error {
	rows := x.Dim(0)
	if rows%2 != 0 {
		return fmt.Errorf("layers: step: %d views is odd (want 2 views of each image)", rows)
	}
	if g := m.tape.par.groups; g > 1 && (rows/2)%g != 0 {
		return fmt.Errorf("layers: step: %d images do not split into %d BN groups", rows/2, g)
	}
	return nil
}

// download copies a device tensor to the host, keeping the first error.
func (t *Tape) download(x *engine.Tensor) []float32 {
	h := make([]float32, x.Numel())
	t.par.fail(t.b.Download(x, h))
	return h
}

// batchNormParts is training-mode BatchNormOp through the engine's
// batch-norm-in-parts ops, with the statistics merged on the host between
// the parts: over every rank (global BN: the (mean, M2) pairs all-gathered
// in the forward pass, the (sum g, sum g*xhat) sums all-reduced in float64
// in the backward pass) or over the two views' halves of each BN group.
// y is allocated, the rest as in BatchNormOp.
func (t *Tape) batchNormParts(x, y *Var, bn *BatchNorm, gamma, beta *engine.Tensor, p engine.BatchNormParams, relu bool) *Var {
	// Engine groups: 1 (global BN) or 2K (view v of image group u is
	// engine group v*K + u, both with the statistics of unit u).
	eg := 1
	if !t.par.global {
		eg = 2 * t.par.groups
	}
	c := p.C
	cnt := float64(p.N / eg * p.HW) // values per engine group and channel
	stats := t.pool.Get(eg, c, 2)
	t.b.BatchNormStats(stats, x.Value, eg, p)
	st := t.download(stats)
	t.pool.Put(stats)
	means, invStds := make([]float32, eg*c), make([]float32, eg*c)
	batchMean, batchVar := make([]float64, c), make([]float64, c) // running-statistics targets
	total := cnt                                                  // values per channel behind one normalisation
	if t.par.global {
		// Every rank's (mean, M2) per channel, merged in rank order with
		// Chan et al.'s pairwise formula in float64: no sum-of-squares
		// cancellation, and the same bits on every rank. The ranks' counts
		// are equal (the all-gather of z checks the batch sizes agree).
		w := t.par.comm.Size()
		all := make([]float32, w*2*c)
		t.par.fail(t.par.comm.Allgather(st, all))
		total = cnt * float64(w)
		for ch := 0; ch < c; ch++ {
			n, mu, m2 := 0.0, 0.0, 0.0
			for r := 0; r < w; r++ {
				n, mu, m2 = chanMerge(n, mu, m2, cnt, float64(all[2*(r*c+ch)]), float64(all[2*(r*c+ch)+1]))
			}
			means[ch], invStds[ch] = float32(mu), float32(1/math.Sqrt(m2/total+float64(p.Eps)))
			batchMean[ch], batchVar[ch] = mu, m2/(total-1)
		}
	} else {
		k := t.par.groups
		total = 2 * cnt
		for u := 0; u < k; u++ {
			for ch := 0; ch < c; ch++ {
				a, b := 2*(u*c+ch), 2*((k+u)*c+ch)
				_, mu, m2 := chanMerge(cnt, float64(st[a]), float64(st[a+1]), cnt, float64(st[b]), float64(st[b+1]))
				is := float32(1 / math.Sqrt(m2/total+float64(p.Eps)))
				means[u*c+ch], means[(k+u)*c+ch] = float32(mu), float32(mu)
				invStds[u*c+ch], invStds[(k+u)*c+ch] = is, is
				batchMean[ch] += mu / float64(k)
				batchVar[ch] += m2 / (total - 1) / float64(k)
			}
		}
	}
	if !t.frozenStats {
		t.updateRunning(bn, batchMean, batchVar)
		bn.NumBatchesTracked.Count++
	}
	mean, invStd := t.pool.Get(eg, c), t.pool.Get(eg, c)
	t.b.Upload(mean, means)
	t.b.Upload(invStd, invStds)
	t.b.BatchNormApply(y.Value, x.Value, gamma, beta, mean, invStd, eg, p)
	t.half(y.Value)
	saved := []*Var{x}
	if relu {
		saved = append(saved, y)
	}
	t.push(entry{op: "BatchNorm " + bn.Name + " (parts)", out: y, saved: saved, scratch: []*engine.Tensor{mean, invStd}, params: []*Param{bn.Gamma, bn.Beta}, backward: func(dy *engine.Tensor) {
		yv := y.Value
		if !relu {
			yv = nil
		}
		sums := t.pool.Get(eg, c, 2)
		t.b.BatchNormBackwardSums(sums, dy, x.Value, yv, mean, invStd, eg, p)
		sh := t.download(sums)
		// dgamma, dbeta: this process's sums (the gradient all-reduce adds
		// the ranks' up).
		dgl, dbl := make([]float32, c), make([]float32, c)
		for j := 0; j < eg; j++ {
			for ch := 0; ch < c; ch++ {
				dbl[ch] += sh[2*(j*c+ch)]
				dgl[ch] += sh[2*(j*c+ch)+1]
			}
		}
		mh := make([]float32, 2*eg*c)
		if t.par.global {
			buf := make([]float64, 2*c)
			for i := range buf {
				buf[i] = float64(sh[i])
			}
			t.par.fail(t.par.comm.AllreduceSum64(buf))
			for i := range buf {
				mh[i] = float32(buf[i] / total)
			}
		} else {
			k := t.par.groups
			for u := 0; u < k; u++ {
				for i := 0; i < 2*c; i++ {
					v := float32((float64(sh[2*u*c+i]) + float64(sh[2*(k+u)*c+i])) / total)
					mh[2*u*c+i], mh[2*(k+u)*c+i] = v, v
				}
			}
		}
		t.b.Upload(sums, mh)
		dx, doneX := t.bnGradX(x)
		t.b.BatchNormBackwardApply(dx, dy, x.Value, yv, gamma, mean, invStd, sums, eg, p)
		doneX()
		t.pool.Put(sums)
		t.paramGradInto(bn.Gamma, func(dg *engine.Tensor) { t.b.Upload(dg, dgl) })
		t.paramGradInto(bn.Beta, func(db *engine.Tensor) { t.b.Upload(db, dbl) })
	}})
	t.consumed(x)
	return y
}

// chanMerge returns the count, mean and M2 (sum of squared deviations) of
// the union of two sets given theirs (Chan, Golub and LeVeque).
func chanMerge(na, ma, m2a, nb, mb, m2b float64) (n, mean, m2 float64) {
	n = na + nb
	d := mb - ma
	return n, ma + d*nb/n, m2a + m2b + d*d*na*nb/n
}

// bnGradX is where a BN backward writes dx: x's gradient, or a scratch
// tensor when x needs none.
func (t *Tape) bnGradX(x *Var) (*engine.Tensor, func()) {
	if x.requiresGrad {
		return t.gradDst(x)
	}
	dx := t.pool.GetOf(x.Value.DType(), x.Shape...)
	return dx, func() { t.pool.Put(dx) }
}

// updateRunning moves bn's running statistics towards the batch mean and
// unbiased variance (running = (1-momentum)*running + momentum*batch) on
// the device, so that the forward pass needs no second host sync.
func (t *Tape) updateRunning(bn *BatchNorm, mean, unbiased []float64) {
	mom := bn.Momentum
	for i, target := range [][]float64{mean, unbiased} {
		run := bn.RunningMean.Value
		if i == 1 {
			run = bn.RunningVar.Value
		}
		h := make([]float32, len(target))
		for ch, v := range target {
			h[ch] = float32(v)
		}
		tt := t.pool.Get(len(h))
		t.b.Upload(tt, h)
		t.b.Scale(run, run, 1-mom)
		t.b.Axpy(run, mom, tt)
		t.pool.Put(tt)
	}
}

// gatheredNTXent is NTXent over the global batch: every rank's z (2n, d)
// is all-gathered and reordered into the global layout (view 1 of the N
// images, then view 2; rank q's image i is global image q*n+i, so its
// positive pair is global rows q*n+i and N+q*n+i), and the fused loss runs
// on the global 2N rows; out gets the global loss and top-1.
//
// Every rank computes the whole loss and the whole dz (2N, d) and keeps its
// own rows. Those rows are the exact gradient of the global loss with
// respect to this rank's z: they include the terms where its rows are
// positives or negatives of the other ranks' anchors, which is what the
// all-gather's backward (a reduce-scatter of every rank's dz) would add up.
// Chosen over computing only this rank's anchor rows and reduce-scattering
// because it needs no reduce-scatter (dist.Comm has none), no second
// communication and no new engine op, and cannot drop those terms; the
// price is redundant O((2N)^2 d) work on every rank, small next to the
// encoder at SimCLR's batch sizes.
func (m *Model) gatheredNTXent(t *Tape, z *Var, tau float32) {
	dz := m.gatheredLoss(t, t.download(z.Value), z.Shape[0], z.Shape[1], tau, t.record && z.requiresGrad)
	if dz == nil {
		return
	}
	dst, done := t.gradDst(z)
	t.b.Upload(dst, dz)
	done()
}

// gatheredLoss is gatheredNTXent on the host copy of this rank's z (rows =
// 2n, d; view 1 of its n images, then view 2): the loss and top-1 go to
// m.out and, with grad, it returns this rank's rows of dz (2n, d) (nil
// without grad). Gradient caching's chunked step calls it with the z it
// assembled from its chunks.
func (m *Model) gatheredLoss(t *Tape, local []float32, rows, d int, tau float32, grad bool) []float32 {
	comm := m.world()
	w, r := comm.Size(), comm.Rank()
	n := rows / 2
	bigN := n * w
	all := make([]float32, w*rows*d)
	t.par.fail(comm.Allgather(local, all))
	global := make([]float32, 2*bigN*d)
	for q := 0; q < w; q++ {
		viewRows(global, all[q*rows*d:(q+1)*rows*d], bigN, q*n, n, d, true)
	}
	zg := t.pool.Get(2*bigN, d)
	defer t.pool.Put(zg)
	t.b.Upload(zg, global)
	if !grad {
		t.b.NTXentForwardBackward(nil, m.out, zg, tau)
		return nil
	}
	dzg := t.pool.Get(2*bigN, d)
	defer t.pool.Put(dzg)
	t.b.NTXentForwardBackward(dzg, m.out, zg, tau)
	if m.gatherBackward != nil {
		return m.gatherBackward(global, tau, r, n, w)
	}
	all = t.download(dzg)
	dz := make([]float32, rows*d)
	viewRows(all, dz, bigN, r*n, n, d, false)
	return dz
}
