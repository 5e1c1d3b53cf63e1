package layers

import (
	"fmt"
	"sort"

	"simclr-vk/engine"
)

// SetMicroBatch makes Step process its batch in chunks of at most mb
// images (gradient caching, Gao et al. 2021): activations are held for
// one chunk (2mb views) at a time while the NT-Xent loss stays exact over
// the whole batch. 0, or mb >= the batch's image count, is the plain Step.
// See stepChunked.
func (m *Model) SetMicroBatch(mb int) error {
	if mb < 0 {
		return fmt.Errorf("layers: SetMicroBatch: negative micro-batch %d", mb)
	}
	if mb > 0 && m.par.BNGroups > 1 {
		return fmt.Errorf("layers: SetMicroBatch: micro-batch %d with %d BN groups: choose one (each chunk is a BN group of its own)", mb, m.par.BNGroups)
	}
	m.micro = mb
	return nil
}

// MicroBatch is the chunk size SetMicroBatch set (0: whole batches).
func (m *Model) MicroBatch() int { return m.micro }

// chunk is the k-th chunk's images [lo, lo+n) of a batch of N images in
// chunks of mb.
func chunk(k, mb, bigN int) (lo, n int) {
	lo = k * mb
	return lo, min(mb, bigN-lo)
}

// viewRows copies the rows of images lo..lo+n between batch, (2*bigN, d)
// (view 1 of bigN images, then view 2), and part, (2n, d) (view 1 of the
// n images, then view 2): into batch with toBatch, out of it otherwise.
func viewRows(batch, part []float32, bigN, lo, n, d int, toBatch bool) {
	for v := 0; v < 2; v++ {
		b, p := batch[(v*bigN+lo)*d:(v*bigN+lo+n)*d], part[v*n*d:(v+1)*n*d]
		if toBatch {
			copy(b, p)
		} else {
			copy(p, b)
		}
	}
}

// stepChunked is Step in chunks of m.micro images (gradient caching) on x
// (2N, C, H, W), rows i and i+N the views of image i. Chunk k holds images
// [k*mb, min((k+1)*mb, N)) with both views, in the same layout (2m' rows).
//
//  1. Each chunk forward in training mode without recording (activations
//     go back to the pool as soon as read) and with the running statistics
//     left alone (Tape.frozenStats); its L2-normalised z is copied into
//     the batch's z (2N, d) on the host.
//  2. The fused NT-Xent loss and dz over all 2N rows at once (with a
//     world of more than one, the gathered loss over every rank's rows:
//     global batch = ranks x chunks).
//  3. Each chunk forward again with recording, then backward from its rows
//     of dz through the L2 normalisation; the first chunk's backward
//     overwrites every Param.Grad, the others add to it (Tape.accumulate);
//     the gradient all-reduce overlaps the last chunk's backward only.
//     This forward is the one that updates the running statistics, once
//     per chunk.
//
// BN in a chunk uses the chunk's statistics (global BN: over the ranks'
// corresponding chunks, every rank having the same chunk count), as
// per-device BN does across devices; pass 3 sees the same inputs and
// weights as pass 1, so with the backends' deterministic kernels it
// reproduces pass 1's statistics and z, on which the loss was computed.
// The images travel through host memory (Step downloads x once; StepHost
// takes the caller's slice), each chunk uploaded twice, z and dz too, or
// StepViews' render writes each chunk's views on the device, twice; the
// device holds one chunk's activations and views and z, dz (2N, d) (and
// Step's x).
func (m *Model) stepChunked(x *engine.Tensor, tau float32) (loss, top1 float32, err error) {
	if err := m.checkBatch(x); err != nil {
		return 0, 0, err
	}
	host := make([]float32, x.Numel())
	if err := m.b.Download(x, host); err != nil {
		return 0, 0, fmt.Errorf("layers: step: %w", err)
	}
	return m.stepChunkedHost(host, x.Shape(), tau)
}

// StepHost is Step on views in host memory, (2N, C, H, W) with shape
// [2N, C, H, W]: with SetMicroBatch's chunks smaller than N it uploads one
// chunk at a time, so the device never holds the whole batch (the
// training loop's path); otherwise it uploads the batch into a pooled
// tensor and runs Step.
func (m *Model) StepHost(views []float32, shape [4]int, tau float32) (loss, top1 float32, err error) {
	if numel(shape[:]) != len(views) || shape[0]%2 != 0 || shape[1] != m.Encoder.Config.InChannels {
		return 0, 0, fmt.Errorf("layers: step: %d values for views %v (want (2N, %d, H, W))", len(views), shape, m.Encoder.Config.InChannels)
	}
	if m.micro > 0 && m.micro < shape[0]/2 {
		return m.stepChunkedHost(views, shape[:], tau)
	}
	x := m.pool.Get(shape[:]...)
	defer m.pool.Put(x)
	m.b.Upload(x, views)
	return m.run(x, tau, true)
}

// stepChunkedHost is stepChunked on the host copy of x, of shape s: each
// chunk's views are copied out of host into a staging buffer and uploaded.
func (m *Model) stepChunkedHost(host []float32, s []int, tau float32) (loss, top1 float32, err error) {
	if len(s) != 4 || s[1] != m.Encoder.Config.InChannels {
		panic(fmt.Sprintf("layers: Model: input %v is not (2N, %d, H, W)", s, m.Encoder.Config.InChannels))
	}
	bigN, per, mb := s[0]/2, s[1]*s[2]*s[3], m.micro
	if cap(m.stage) < 2*mb*per {
		m.stage = make([]float32, 2*mb*per)
	}
	buf := m.stage[:2*mb*per]
	return m.stepChunks(bigN, s[2], s[3], func(xc *engine.Tensor, lo, n int) {
		viewRows(host, buf[:2*n*per], bigN, lo, n, per, false)
		m.b.Upload(xc, buf[:2*n*per])
	}, tau)
}

// StepViews is Step on the 2N views of N images, each H x W, that render
// writes, a chunk at a time: render(x, lo, n) fills x, (2n, C, H, W), with
// view 1 of images lo..lo+n-1, then their view 2 (the rows lo.. and
// N+lo.. of the batch Step takes). With SetMicroBatch's chunks smaller
// than N, stepChunked calls it for each chunk when the chunk is needed,
// twice (the forward without activations, then the recorded one), so
// render must write the same values for the same lo and n each time; the
// device holds one chunk's views at a time (a pooled tensor) and nothing
// travels through the host. Otherwise it renders the whole batch (lo 0,
// n N) into a pooled tensor and runs Step. The training loop renders the
// views on the device this way (engine.ViewAugmenter).
func (m *Model) StepViews(bigN, h, w int, render func(x *engine.Tensor, lo, n int), tau float32) (loss, top1 float32, err error) {
	if bigN < 1 || h < 1 || w < 1 {
		return 0, 0, fmt.Errorf("layers: step: views of %d images of %dx%d", bigN, h, w)
	}
	if m.micro > 0 && m.micro < bigN {
		return m.stepChunks(bigN, h, w, render, tau)
	}
	x := m.pool.Get(2*bigN, m.Encoder.Config.InChannels, h, w)
	defer m.pool.Put(x)
	render(x, 0, bigN)
	return m.run(x, tau, true)
}

// stepChunks is stepChunked on N images of h x w whose chunk of images
// lo..lo+n-1 fill writes into a pooled (2n, C, h, w) tensor (StepViews).
func (m *Model) stepChunks(bigN, h, w int, fill func(xc *engine.Tensor, lo, n int), tau float32) (loss, top1 float32, err error) {
	t := m.tape
	if t.par.groups > 1 {
		return 0, 0, fmt.Errorf("layers: step: micro-batch %d with %d BN groups: choose one", m.micro, t.par.groups)
	}
	c, mb := m.Encoder.Config.InChannels, m.micro
	chunks := (bigN + mb - 1) / mb
	// A smaller last chunk asks the pool for other sizes: give the
	// larger chunk's tensors back first, so that the peak stays one
	// chunk's (a micro-batch dividing N never trims).
	prev := 0
	// input fills chunk k's 2n views into a pool tensor.
	input := func(k int) (*engine.Tensor, int) {
		lo, n := chunk(k, mb, bigN)
		if n < prev {
			t.pool.Trim()
		}
		prev = n
		xc := t.pool.Get(2*n, c, h, w)
		fill(xc, lo, n)
		return xc, n
	}
	// rows copies chunk k's rows of a (2n, d) array from (fromChunk) or
	// into the batch's (2N, d) array.
	rows := func(batch, part []float32, k, d int, fromChunk bool) {
		lo, n := chunk(k, mb, bigN)
		viewRows(batch, part, bigN, lo, n, d, fromChunk)
	}
	t.train = true
	t.par.on, t.par.err = true, nil
	defer func() { t.par.on, t.par.partial, t.frozenStats, t.accumulate = false, false, false, false }()

	// Pass 1: z of every chunk, nothing recorded, running statistics kept.
	t.record, t.frozenStats = false, true
	var z []float32
	d := 0
	for k := 0; k < chunks; k++ {
		xc, _ := input(k)
		zc := t.L2Normalize(m.Forward(t, t.Input(xc)))
		if z == nil {
			d = zc.Shape[1]
			z = make([]float32, 2*bigN*d)
		}
		rows(z, t.download(zc.Value), k, d, true)
		t.Reset()
		t.pool.Put(xc)
	}
	// Pass 2: the exact loss and dz over the whole (global) batch.
	dz := m.gatheredLoss(t, z, 2*bigN, d, tau, true)
	if t.par.err != nil {
		return 0, 0, fmt.Errorf("layers: step: %w", t.par.err)
	}
	// Pass 3: each chunk again, recorded, backward from its rows of dz.
	t.record, t.frozenStats = true, false
	flops := 0.0
	part := make([]float32, 2*mb*d)
	for k := 0; k < chunks; k++ {
		// Chunk k's backward adds to the earlier chunks' gradients; only
		// the last chunk's finishes them (the overlapped all-reduce may
		// start then, gradSync).
		t.accumulate, t.par.partial = k > 0, k < chunks-1
		xc, n := input(k)
		zc := t.L2Normalize(m.Forward(t, t.Input(xc)))
		if m.chunkZ != nil {
			rows(z, part[:2*n*d], k, d, false)
			m.chunkZ(k, part[:2*n*d], t.download(zc.Value))
		}
		rows(dz, part[:2*n*d], k, d, false)
		seed := t.pool.Get(2*n, d)
		m.b.Upload(seed, part[:2*n*d])
		t.Seed(zc, seed)
		t.pool.Put(seed)
		t.Backward(m.params)
		flops += t.lastFlops
		t.pool.Put(xc)
	}
	t.lastFlops = flops
	if t.par.err != nil {
		return 0, 0, fmt.Errorf("layers: step: %w", t.par.err)
	}
	if err := m.syncAfterBackward(); err != nil {
		return 0, 0, err
	}
	return m.result()
}

// FitMicroBatch measures a training step's device memory per image for
// views of c x h x w pixels and returns the largest micro-batch, at most
// maxImages, whose step fits in budget bytes on top of what the backend
// holds now (9/10 of it, for the allocator's rounding and the batch's z
// and dz), with the measured bytes per image. held, when not nil, is what
// the caller holds beside the step for a chunk of n images (views it
// renders a chunk at a time, StepViews): the step then fits 9/10 of budget
// less held(n). held must not shrink as n grows. It times nothing: it runs
// two recorded forward and backward passes on 2 and on 4 zero images, each
// from an emptied pool, and takes the growth of MemStats.Peak between
// them; the model's parameters and running statistics are unchanged,
// Param.Grad is overwritten, the backend's peak is reset and the pool is
// emptied. It returns an error when not even one image fits. In a world
// of more than one (SetParallel first) it is a collective: every rank
// gets the smallest rank's choice, so that all cut their batches alike.
func (m *Model) FitMicroBatch(c, h, w int, budget int64, maxImages int, held func(n int) int64) (mb int, perImage int64, err error) {
	if c != m.Encoder.Config.InChannels || h < 1 || w < 1 || maxImages < 1 {
		return 0, 0, fmt.Errorf("layers: FitMicroBatch: views %dx%dx%d or %d images do not fit a model of %d input channels", h, w, c, maxImages, m.Encoder.Config.InChannels)
	}
	t := m.tape
	peak := func(n int) (int64, error) {
		x := m.b.New(2*n, c, h, w)
		defer x.Release()
		m.pool.Trim()
		if err := m.b.Flush(); err != nil {
			return 0, err
		}
		base := m.b.MemStats().InUse
		m.b.ResetPeak()
		t.train, t.record, t.frozenStats = true, true, true
		defer func() { t.frozenStats = false }()
		t.NTXent(t.L2Normalize(m.Forward(t, m.input(t, x))), 0.5, m.out)
		t.Backward(m.params)
		err := m.b.Flush()
		p := m.b.MemStats().Peak - base
		m.pool.Trim()
		return p, err
	}
	p2, err := peak(2)
	if err != nil {
		return 0, 0, fmt.Errorf("layers: FitMicroBatch: %w", err)
	}
	p4, err := peak(4)
	if err != nil {
		return 0, 0, fmt.Errorf("layers: FitMicroBatch: %w", err)
	}
	perImage = max((p4-p2)/2, 1)
	fixed := max(p2-2*perImage, 0)
	avail := func(held int64) int64 { return (budget-held)/10*9 - fixed }
	mb = int(min(max(avail(0), 0)/perImage, int64(maxImages)))
	if held != nil {
		// The largest n <= mb whose step fits beside held(n).
		mb = sort.Search(mb, func(n int) bool { return int64(n+1)*perImage > avail(held(n+1)) })
	}
	if comm := m.world(); comm.Size() > 1 {
		// Every rank must cut its batch into the same number of chunks
		// (global BN takes each chunk's statistics over the ranks): the
		// smallest choice wins (also when it is none).
		all := make([]float32, comm.Size())
		if err := comm.Allgather([]float32{float32(mb)}, all); err != nil {
			return 0, perImage, fmt.Errorf("layers: FitMicroBatch: %w", err)
		}
		for _, v := range all {
			mb = min(mb, int(v))
		}
	}
	if mb < 1 {
		return 0, perImage, fmt.Errorf("layers: FitMicroBatch: %d bytes free, a step needs %d plus %d per image: not even one image fits (on this rank or another)", budget, fixed, perImage)
	}
	return mb, perImage, nil
}
