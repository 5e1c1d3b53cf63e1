package augment

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"simclr-vk/simclr/data"
)

// LoaderConfig configures one epoch of training batches.
type LoaderConfig struct {
	BatchSize int    // images per batch, N (each gives 2 views)
	Seed      uint64 // run seed: shuffling and every view derive from it
	Epoch     int    // epoch number: a new shuffle and new views per epoch
	Shuffle   bool   // visit images in a seeded random order (else in order)
	// DropLast drops a last batch with fewer than BatchSize images; without
	// it the last batch is returned with its actual size N' (2N' views,
	// rows i and i+N').
	DropLast bool
	// Views per image: 0 or 2 give SimCLR's pair (rows i and i+N); 1 gives
	// one augmented view (supervised crop+flip training: linear probe,
	// fine-tuning).
	Views    int
	Workers  int // augmenting goroutines; 0 means runtime.NumCPU()
	Prefetch int // batches prepared ahead of the consumer; 0 means 2
	Aug      Config
	// Shards > 1 makes this loader one rank's part of a data-parallel
	// epoch: of each batch of BatchSize images (the global batch) it
	// yields only images Shard*n .. Shard*n+n-1, n = BatchSize/Shards,
	// each augmented exactly as the unsharded loader does (the views are a
	// function of seed, epoch, image and view), so the ranks' batches put
	// together are the unsharded batch. BatchSize, and the short last
	// batch where it is kept, must divide by Shards.
	Shards, Shard int
	// DeviceViews makes the loader sample every view's Params but render
	// nothing: each Batch carries the images and Params (Batch.Images,
	// Batch.Params) for an engine.ViewAugmenter (DeviceView), and no Views.
	DeviceViews bool
}

// EvalConfig configures an evaluation loader: un-augmented images in
// dataset order, every image once (the last batch may be short).
type EvalConfig struct {
	BatchSize int
	Size      int       // output side: shorter side resized to Size, centre Size x Size (EvalView)
	Mean, Std []float32 // optional normalisation, as Config
	Workers   int       // 0 means runtime.NumCPU()
	Prefetch  int       // 0 means 2
}

// Batch is one batch of views. It is owned by the Loader and valid until
// the next call to Next or Close.
type Batch struct {
	Number  int // batch number within the epoch, from 0
	N       int // images in this batch (BatchSize, or fewer for a short last batch)
	C, H, W int // view shape
	// Views holds (V*N, C, H, W) float32 values: V = LoaderConfig.Views
	// (2 by default: rows i and i+N are the two views of image i); for an
	// evaluation loader V = 1.
	Views  []float32
	Index  []int         // dataset index of image i
	Labels []int         // label of image i (-1 when unlabeled)
	Wait   time.Duration // how long Next blocked before this batch was ready
	// With LoaderConfig.DeviceViews, instead of Views: image i and the
	// Params of its view rows (row v*N+i as in Views).
	Images []data.Image
	Params []Params
}

// Loader produces the batches of one epoch in order, augmenting with
// parallel workers and prefetching. Use Next until io.EOF, then Close; call
// both from one goroutine. Create a new Loader for every epoch (the epoch
// number changes the shuffle and every view). It holds Prefetch+1 batch
// buffers of Views*BatchSize*C*Size*Size float32 each.
type Loader struct {
	ds      data.Dataset
	views   int
	bs      int // images per batch this loader yields (the shard's part)
	stride  int // images per global batch
	shard   int // this loader's part of each global batch
	order   []int
	batches int
	c       int
	cfg     Config
	eval    bool
	seed    uint64
	epoch   int
	raw     bool // LoaderConfig.DeviceViews

	tasks  chan task
	ready  chan *pending
	free   chan *Batch
	quit   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once

	held *Batch
	wait time.Duration
	next int
}

type pending struct {
	b    *Batch
	left atomic.Int32
	done chan struct{}
	mu   sync.Mutex
	err  error
}

type task struct {
	p   *pending
	pos int
}

// NewLoader starts the workers for one epoch of augmented training batches
// of ds.
func NewLoader(ds data.Dataset, cfg LoaderConfig) (*Loader, error) {
	if err := cfg.Aug.Validate(); err != nil {
		return nil, err
	}
	if cfg.BatchSize < 1 {
		return nil, fmt.Errorf("augment: loader: batch size %d < 1", cfg.BatchSize)
	}
	views := cfg.Views
	if views == 0 {
		views = 2
	}
	if views != 1 && views != 2 {
		return nil, fmt.Errorf("augment: loader: %d views per image, want 1 or 2", cfg.Views)
	}
	n := ds.Len()
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if cfg.Shuffle {
		rng := rand.New(rand.NewPCG(splitmix(cfg.Seed^0x5f3759df), splitmix(uint64(cfg.Epoch))))
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	nb := n / cfg.BatchSize
	if !cfg.DropLast && n%cfg.BatchSize != 0 {
		nb++
	}
	shards := max(cfg.Shards, 1)
	if err := CheckShards(n, cfg.BatchSize, shards, cfg.DropLast); err != nil {
		return nil, err
	}
	if cfg.Shard < 0 || cfg.Shard >= shards {
		return nil, fmt.Errorf("augment: loader: shard %d of %d", cfg.Shard, shards)
	}
	return start(ds, order, nb, views, cfg.BatchSize/shards, cfg.BatchSize, cfg.Shard, cfg.Aug, false, cfg.DeviceViews, cfg.Seed, cfg.Epoch, cfg.Workers, cfg.Prefetch)
}

// CheckShards returns an error unless batches of batch images of an epoch
// of n images (the short last one kept unless dropLast) split evenly into
// shards parts; the error says which batch sizes work.
func CheckShards(n, batch, shards int, dropLast bool) error {
	if shards <= 1 {
		return nil
	}
	if batch%shards != 0 {
		lo, hi := batch/shards*shards, (batch/shards+1)*shards
		alt := fmt.Sprintf("%d", hi)
		if lo > 0 {
			alt = fmt.Sprintf("%d or %d", lo, hi)
		}
		return fmt.Errorf("batch size %d does not split over %d ranks: the global batch must be a multiple of the world size (e.g. %s)", batch, shards, alt)
	}
	if last := n % batch; !dropLast && last != 0 && last%shards != 0 {
		return fmt.Errorf("the last batch of each epoch (%d of %d images) does not split over %d ranks: drop it (--drop-last), or choose a batch size whose remainder divides by %d", last, n, shards, shards)
	}
	return nil
}

// NewEvalLoader starts the workers for un-augmented batches of ds, in order.
func NewEvalLoader(ds data.Dataset, cfg EvalConfig) (*Loader, error) {
	aug := DefaultConfig(cfg.Size)
	aug.Mean, aug.Std = cfg.Mean, cfg.Std
	if err := aug.Validate(); err != nil {
		return nil, err
	}
	if cfg.BatchSize < 1 {
		return nil, fmt.Errorf("augment: eval loader: batch size %d < 1", cfg.BatchSize)
	}
	n := ds.Len()
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	nb := (n + cfg.BatchSize - 1) / cfg.BatchSize
	return start(ds, order, nb, 1, cfg.BatchSize, cfg.BatchSize, 0, aug, true, false, 0, 0, cfg.Workers, cfg.Prefetch)
}

// start launches the loader: batch b takes bs images of order from
// b*stride + shard*bs (stride = bs unsharded). The fields the dispatcher
// reads are all set before it starts.
func start(ds data.Dataset, order []int, nb, views, bs, stride, shard int, aug Config, eval, raw bool, seed uint64, epoch, workers, prefetch int) (*Loader, error) {
	c, _, _ := ds.Shape()
	if len(aug.Mean) != 0 && len(aug.Mean) != c {
		return nil, fmt.Errorf("augment: loader: %d mean/std values for %d-channel images of %s", len(aug.Mean), c, ds.Name())
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if prefetch <= 0 {
		prefetch = 2
	}
	l := &Loader{
		ds: ds, views: views, bs: bs, stride: stride, shard: shard, order: order, batches: nb, c: c, cfg: aug, eval: eval,
		seed: seed, epoch: epoch, raw: raw,
		tasks: make(chan task, 2*workers),
		ready: make(chan *pending, prefetch+1),
		free:  make(chan *Batch, prefetch+1),
		quit:  make(chan struct{}),
	}
	s := aug.Size
	for range prefetch + 1 {
		b := &Batch{C: c, H: s, W: s, Index: make([]int, bs), Labels: make([]int, bs)}
		if raw {
			b.Images, b.Params = make([]data.Image, bs), make([]Params, views*bs)
		} else {
			b.Views = make([]float32, views*bs*c*s*s)
		}
		l.free <- b
	}
	l.wg.Add(workers + 1)
	for range workers {
		go l.work()
	}
	go l.dispatch()
	return l, nil
}

// NumBatches is the number of batches this epoch yields.
func (l *Loader) NumBatches() int { return l.batches }

// WaitTime is the total time Next has blocked waiting for batches.
func (l *Loader) WaitTime() time.Duration { return l.wait }

// dispatch fills free batches in order and queues their images.
func (l *Loader) dispatch() {
	defer l.wg.Done()
	defer close(l.tasks)
	defer close(l.ready)
	for b := 0; b < l.batches; b++ {
		var bt *Batch
		select {
		case bt = <-l.free:
		case <-l.quit:
			return
		}
		// This shard's images of global batch b.
		n := min(l.stride, len(l.order)-b*l.stride) * l.bs / l.stride
		first := b*l.stride + l.shard*n
		s := l.cfg.Size
		bt.Number, bt.N, bt.Wait = b, n, 0
		if l.raw {
			bt.Images, bt.Params = bt.Images[:n], bt.Params[:l.views*n]
		} else {
			bt.Views = bt.Views[:cap(bt.Views)][:l.views*n*l.c*s*s]
		}
		bt.Index, bt.Labels = bt.Index[:n], bt.Labels[:n]
		p := &pending{b: bt, done: make(chan struct{})}
		p.left.Store(int32(n))
		select {
		case l.ready <- p:
		case <-l.quit:
			return
		}
		for pos := 0; pos < n; pos++ {
			bt.Index[pos] = l.order[first+pos]
			select {
			case l.tasks <- task{p, pos}:
			case <-l.quit:
				return
			}
		}
	}
}

// work renders the views of one image per task.
func (l *Loader) work() {
	defer l.wg.Done()
	s := l.cfg.Size
	vsize := l.c * s * s
	// One generator per worker, reseeded per view (viewSeed): the views'
	// streams are ViewRNG's without allocating one per view.
	pcg := new(rand.PCG)
	rng := rand.New(pcg)
	for t := range l.tasks {
		b := t.p.b
		idx := b.Index[t.pos]
		b.Labels[t.pos] = l.ds.Label(idx)
		img, err := l.ds.Image(idx)
		if err == nil && (img.C != l.c) {
			err = fmt.Errorf("augment: loader: %s image %d has %d channels, want %d", l.ds.Name(), idx, img.C, l.c)
		}
		if err != nil {
			t.p.mu.Lock()
			if t.p.err == nil {
				t.p.err = err
			}
			t.p.mu.Unlock()
		} else if l.raw {
			b.Images[t.pos] = img
			for v := 0; v < l.views; v++ {
				pcg.Seed(viewSeed(l.seed, l.epoch, idx, v))
				b.Params[v*b.N+t.pos] = Sample(l.cfg, rng, img.H, img.W)
			}
		} else {
			for v := 0; v < l.views; v++ {
				row := v*b.N + t.pos
				dst := b.Views[row*vsize : (row+1)*vsize]
				if l.eval {
					EvalView(dst, img, l.cfg)
				} else {
					pcg.Seed(viewSeed(l.seed, l.epoch, idx, v))
					View(dst, img, l.cfg, rng)
				}
			}
		}
		if t.p.left.Add(-1) == 0 {
			close(t.p.done)
		}
	}
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("augment: loader closed")

// Next returns the next batch, blocking until it is ready, or io.EOF after
// the last one. The previous batch returned becomes invalid. An error
// reading an image ends the epoch with that error.
func (l *Loader) Next() (*Batch, error) {
	select {
	case <-l.quit:
		return nil, ErrClosed
	default:
	}
	if l.held != nil {
		l.free <- l.held // never blocks: the pool has room for every batch
		l.held = nil
	}
	t0 := time.Now()
	p, ok := <-l.ready
	if !ok {
		return nil, io.EOF
	}
	<-p.done
	p.b.Wait = time.Since(t0)
	l.wait += p.b.Wait
	if p.err != nil {
		l.Close()
		return nil, p.err
	}
	l.held = p.b
	return p.b, nil
}

// Epoch reads one epoch of a Loader of ds with cfg, handing each batch in
// order to each (a batch is valid until each returns: it must not keep
// it). The first error, the loader's or each's, ends the epoch and is
// returned as it is. The loader is closed on every path.
func Epoch(ds data.Dataset, cfg LoaderConfig, each func(*Batch) error) error {
	l, err := NewLoader(ds, cfg)
	if err != nil {
		return err
	}
	defer l.Close()
	for range l.NumBatches() {
		bt, err := l.Next()
		if err != nil {
			return err
		}
		if err := each(bt); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the workers and waits for them. It is safe to call twice.
func (l *Loader) Close() {
	l.closed.Do(func() {
		close(l.quit)
		// Unblock workers stuck on nothing: tasks is closed by dispatch.
		l.wg.Wait()
	})
}
