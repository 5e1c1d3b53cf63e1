package augment

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"simclr-vk/simclr/data"
)

// memDS is an in-memory labeled dataset for loader tests; bad, when >= 0,
// is an index whose Image fails.
type memDS struct {
	imgs []data.Image
	bad  int
}

func newMemDS(n, c, h, w int) *memDS {
	d := &memDS{bad: -1}
	for i := 0; i < n; i++ {
		d.imgs = append(d.imgs, randImage(uint64(100+i), c, h, w))
	}
	return d
}

func (d *memDS) Len() int             { return len(d.imgs) }
func (d *memDS) Shape() (c, h, w int) { return d.imgs[0].C, d.imgs[0].H, d.imgs[0].W }
func (d *memDS) NumClasses() int      { return 3 }
func (d *memDS) Label(i int) int      { return i % 3 }
func (d *memDS) Name() string         { return "mem" }
func (d *memDS) Close() error         { return nil }
func (d *memDS) Image(i int) (data.Image, error) {
	if i == d.bad {
		return data.Image{}, errors.New("mem: image " + fmt.Sprint(i) + " is corrupt")
	}
	return d.imgs[i], nil
}

// loadAll is collect of a new loader of ds with cfg.
func loadAll(t *testing.T, ds data.Dataset, cfg LoaderConfig) []Batch {
	t.Helper()
	l, err := NewLoader(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return collect(t, l)
}

// collect reads a whole epoch, copying each batch.
func collect(t *testing.T, l *Loader) []Batch {
	t.Helper()
	defer l.Close()
	var out []Batch
	for {
		b, err := l.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		c := *b
		c.Views = append([]float32(nil), b.Views...)
		c.Index = append([]int(nil), b.Index...)
		c.Labels = append([]int(nil), b.Labels...)
		out = append(out, c)
	}
}

func TestLoaderLayoutAndDeterminism(t *testing.T) {
	for _, c := range []int{1, 3} {
		ds := newMemDS(13, c, 17, 15)
		cfg := LoaderConfig{BatchSize: 4, Seed: 11, Epoch: 2, Shuffle: true, Aug: DefaultConfig(12)}
		var runs [][]Batch
		for _, workers := range []int{1, 3, 8} {
			cfg.Workers, cfg.Prefetch = workers, workers%3+1
			l, err := NewLoader(ds, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if l.NumBatches() != 4 {
				t.Fatalf("13 images in batches of 4: %d batches, want 4", l.NumBatches())
			}
			runs = append(runs, collect(t, l))
		}
		vs := c * 12 * 12
		seen := map[int]bool{}
		for bi, b := range runs[0] {
			if b.Number != bi || len(b.Views) != 2*b.N*vs {
				t.Fatalf("batch %d: number %d, %d values for N %d", bi, b.Number, len(b.Views), b.N)
			}
			for i, idx := range b.Index {
				if seen[idx] {
					t.Fatalf("image %d twice in an epoch", idx)
				}
				seen[idx] = true
				if b.Labels[i] != idx%3 {
					t.Errorf("label of image %d = %d", idx, b.Labels[i])
				}
				// Rows i and i+N are views 0 and 1 of image Index[i].
				want := make([]float32, vs)
				for v := 0; v < 2; v++ {
					View(want, ds.imgs[idx], cfg.Aug, ViewRNG(cfg.Seed, cfg.Epoch, idx, v))
					row := v*b.N + i
					if !equal(b.Views[row*vs:(row+1)*vs], want) {
						t.Fatalf("c %d batch %d row %d is not view %d of image %d", c, bi, row, v, idx)
					}
				}
			}
			for _, other := range runs[1:] {
				ob := other[bi]
				if !equal(ob.Views, b.Views) || fmt.Sprint(ob.Index) != fmt.Sprint(b.Index) {
					t.Fatalf("batch %d differs with another worker count", bi)
				}
			}
		}
		if len(seen) != 13 {
			t.Errorf("epoch visited %d of 13 images", len(seen))
		}
		// Another epoch shuffles differently.
		cfg.Epoch = 3
		l, _ := NewLoader(ds, cfg)
		e3 := collect(t, l)
		if fmt.Sprint(e3[0].Index) == fmt.Sprint(runs[0][0].Index) {
			t.Error("epochs 2 and 3 start with the same images")
		}
	}
}

func TestLoaderShortAndDropLast(t *testing.T) {
	ds := newMemDS(10, 3, 8, 8)
	for _, drop := range []bool{false, true} {
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 4, DropLast: drop, Workers: 2, Aug: DefaultConfig(8)})
		if err != nil {
			t.Fatal(err)
		}
		bs := collect(t, l)
		var sizes []int
		for _, b := range bs {
			sizes = append(sizes, b.N)
			if len(b.Views) != 2*b.N*3*64 || len(b.Index) != b.N || len(b.Labels) != b.N {
				t.Errorf("batch of %d: %d values, %d indices", b.N, len(b.Views), len(b.Index))
			}
		}
		want := "[4 4 2]"
		if drop {
			want = "[4 4]"
		}
		if fmt.Sprint(sizes) != want {
			t.Errorf("drop last %v: batch sizes %v, want %s", drop, sizes, want)
		}
		if !drop && (bs[2].Index[0] != 8 || bs[2].Index[1] != 9) {
			t.Errorf("unshuffled last batch holds %v, want [8 9]", bs[2].Index)
		}
	}
	// The short batch's second views start at row N' = 2.
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 4, Seed: 1, Aug: DefaultConfig(8)})
	bs := collect(t, l)
	want := make([]float32, 3*64)
	View(want, ds.imgs[9], DefaultConfig(8), ViewRNG(1, 0, 9, 1))
	if !equal(bs[2].Views[3*3*64:4*3*64], want) {
		t.Error("short batch: row 3 is not the second view of image 9")
	}
}

// TestEpoch: each sees the epoch's batches in order; its error, or the
// loader's, ends the epoch and comes back as it is.
func TestEpoch(t *testing.T) {
	ds := newMemDS(10, 3, 8, 8)
	cfg := LoaderConfig{BatchSize: 4, Workers: 2, Aug: DefaultConfig(8)}
	var seen []string
	err := Epoch(ds, cfg, func(b *Batch) error {
		seen = append(seen, fmt.Sprintf("%d:%d", b.Number, b.N))
		return nil
	})
	if err != nil || fmt.Sprint(seen) != "[0:4 1:4 2:2]" {
		t.Fatalf("Epoch: batches %v, error %v; want [0:4 1:4 2:2]", seen, err)
	}
	stop := errors.New("stop")
	calls := 0
	if err := Epoch(ds, cfg, func(*Batch) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("each failing: %v after %d calls, want stop after 1", err, calls)
	}
	ds.bad = 5
	calls = 0
	if err := Epoch(ds, cfg, func(*Batch) error { calls++; return nil }); err == nil || err.Error() != "mem: image 5 is corrupt" || calls != 1 {
		t.Errorf("corrupt image: %v after %d batches, want its error after 1", err, calls)
	}
	if err := Epoch(ds, LoaderConfig{BatchSize: 0, Aug: DefaultConfig(8)}, func(*Batch) error { return nil }); err == nil {
		t.Error("Epoch with batch size 0: no error")
	}
}

func TestLoaderErrorsAndWait(t *testing.T) {
	ds := newMemDS(9, 1, 6, 6)
	ds.bad = 5
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 3, Workers: 2, Aug: DefaultConfig(6)})
	if err != nil {
		t.Fatal(err)
	}
	var total int
	var gotErr error
	for {
		b, err := l.Next()
		if err != nil {
			gotErr = err
			break
		}
		total += b.N
		if l.WaitTime() < b.Wait {
			t.Error("WaitTime below the batch's wait")
		}
	}
	if total != 3 || gotErr == nil || gotErr.Error() != "mem: image 5 is corrupt" {
		t.Errorf("read %d images then %v; want 3 then the corrupt image error", total, gotErr)
	}
	if _, err := l.Next(); err != ErrClosed {
		t.Errorf("Next after an error: %v, want ErrClosed", err)
	}
	l.Close()
	// Closing early stops the workers.
	ds.bad = -1
	l, _ = NewLoader(ds, LoaderConfig{BatchSize: 1, Workers: 3, Prefetch: 1, Aug: DefaultConfig(6)})
	if _, err := l.Next(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := NewLoader(ds, LoaderConfig{BatchSize: 0, Aug: DefaultConfig(6)}); err == nil {
		t.Error("batch size 0 accepted")
	}
	bad := DefaultConfig(6)
	bad.Mean, bad.Std = []float32{0, 0, 0}, []float32{1, 1, 1}
	if _, err := NewLoader(ds, LoaderConfig{BatchSize: 2, Aug: bad}); err == nil {
		t.Error("3 mean values for 1-channel images accepted")
	}
}

func TestEvalLoader(t *testing.T) {
	ds := newMemDS(5, 3, 10, 14)
	l, err := NewEvalLoader(ds, EvalConfig{BatchSize: 2, Size: 10, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	bs := collect(t, l)
	if len(bs) != 3 || bs[2].N != 1 {
		t.Fatalf("%d batches, last N %d; want 3, 1", len(bs), bs[len(bs)-1].N)
	}
	k := 0
	for _, b := range bs {
		if len(b.Views) != b.N*3*100 {
			t.Fatalf("eval batch has %d values for %d images", len(b.Views), b.N)
		}
		for i, idx := range b.Index {
			if idx != k || b.Labels[i] != k%3 {
				t.Fatalf("eval order: image %d at position %d", idx, k)
			}
			// Centre 10x10 of a 10x14 image: columns 2..11, unchanged.
			im := ds.imgs[idx]
			for c := 0; c < 3; c++ {
				for y := 0; y < 10; y++ {
					for x := 0; x < 10; x++ {
						got := b.Views[((i*3+c)*10+y)*10+x]
						want := float32(im.At(c, y, x+2)) / 255
						if d := got - want; d > 1e-6 || d < -1e-6 {
							t.Fatalf("eval image %d (%d,%d,%d) = %g, want %g", idx, c, y, x, got, want)
						}
					}
				}
			}
			k++
		}
	}
}

func benchView(b *testing.B, c, size int) {
	im := randImage(1, c, size, size)
	cfg := DefaultConfig(size)
	out := make([]float32, c*size*size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		View(out, im, cfg, ViewRNG(1, 0, i, 0))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkView_32x32x3 is one augmented 32x32 RGB view (blur auto: off).
func BenchmarkView_32x32x3(b *testing.B) { benchView(b, 3, 32) }

// BenchmarkView_96x96x3 is one augmented 96x96 RGB view (blur auto: on).
func BenchmarkView_96x96x3(b *testing.B) { benchView(b, 3, 96) }

// BenchmarkLoader_96x96x3_B64 is the Loader's throughput in augmented views
// per second, batches of 64 images (128 views), all CPUs.
func BenchmarkLoader_96x96x3_B64(b *testing.B) {
	ds := newMemDS(256, 3, 96, 96)
	views := 0
	b.ResetTimer()
	for views < b.N {
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 64, Shuffle: true, Seed: uint64(views), Aug: DefaultConfig(96)})
		if err != nil {
			b.Fatal(err)
		}
		for {
			bt, err := l.Next()
			if err != nil {
				break
			}
			views += 2 * bt.N
		}
		l.Close()
	}
	b.ReportMetric(float64(views)/b.Elapsed().Seconds(), "images/s")
}

// TestLoaderOneView: Views 1 gives (N, C, S, S) batches holding exactly the
// first views of the default two-view loader (same images, same order), and
// other view counts are refused.
func TestLoaderOneView(t *testing.T) {
	ds := newMemDS(7, 3, 11, 13)
	cfg := LoaderConfig{BatchSize: 3, Seed: 5, Epoch: 1, Shuffle: true, Workers: 2, Aug: DefaultConfig(9)}
	two := loadAll(t, ds, cfg)
	cfg.Views = 1
	one := loadAll(t, ds, cfg)
	if len(one) != len(two) {
		t.Fatalf("%d batches with one view, %d with two", len(one), len(two))
	}
	vs := 3 * 9 * 9
	for i := range one {
		n := one[i].N
		if len(one[i].Views) != n*vs || fmt.Sprint(one[i].Index) != fmt.Sprint(two[i].Index) {
			t.Fatalf("batch %d: %d values for N %d, indices %v vs %v", i, len(one[i].Views), n, one[i].Index, two[i].Index)
		}
		if !equal(one[i].Views, two[i].Views[:n*vs]) {
			t.Errorf("batch %d: the single views differ from the first views of the pair", i)
		}
	}
	cfg.Views = 3
	if _, err := NewLoader(ds, cfg); err == nil {
		t.Error("3 views per image accepted")
	}
}

// TestLoaderShards: the shards of a data-parallel epoch put together are
// the unsharded epoch, bit for bit (indices, labels, both views), the short
// last batch included; a batch that does not split is refused with the
// sizes that do.
func TestLoaderShards(t *testing.T) {
	ds := newMemDS(14, 3, 8, 8)
	base := LoaderConfig{BatchSize: 6, Seed: 9, Epoch: 2, Shuffle: true, Workers: 2, Aug: DefaultConfig(8)}
	full, err := NewLoader(ds, base)
	if err != nil {
		t.Fatal(err)
	}
	want := collect(t, full) // 6, 6, 2
	const shards = 2
	parts := make([][]Batch, shards)
	for r := range parts {
		cfg := base
		cfg.Shards, cfg.Shard = shards, r
		parts[r] = loadAll(t, ds, cfg)
		if len(parts[r]) != len(want) {
			t.Fatalf("shard %d: %d batches, want %d", r, len(parts[r]), len(want))
		}
	}
	vs := 3 * 8 * 8
	for b, w := range want {
		n := w.N / shards
		for r := range parts {
			got := parts[r][b]
			if got.N != n {
				t.Fatalf("batch %d shard %d: %d images, want %d", b, r, got.N, n)
			}
			for i := 0; i < n; i++ {
				g := r*n + i
				if got.Index[i] != w.Index[g] || got.Labels[i] != w.Labels[g] {
					t.Fatalf("batch %d shard %d image %d: index %d label %d, want %d %d", b, r, i, got.Index[i], got.Labels[i], w.Index[g], w.Labels[g])
				}
				for v := 0; v < 2; v++ {
					a := got.Views[(v*n+i)*vs : (v*n+i+1)*vs]
					e := w.Views[(v*w.N+g)*vs : (v*w.N+g+1)*vs]
					for k := range a {
						if a[k] != e[k] {
							t.Fatalf("batch %d shard %d image %d view %d differs at %d", b, r, i, v, k)
						}
					}
				}
			}
		}
	}
	bad := base
	bad.Shards = 4
	if _, err := NewLoader(ds, bad); err == nil || !strings.Contains(err.Error(), "e.g. 4 or 8") {
		t.Errorf("batch 6 over 4 shards: %v", err)
	}
	bad.BatchSize, bad.Shards = 4, 4 // last batch: 2 images
	if _, err := NewLoader(ds, bad); err == nil || !strings.Contains(err.Error(), "last batch") {
		t.Errorf("a last batch of 2 over 4 shards: %v", err)
	}
	bad.DropLast = true
	if _, err := NewLoader(ds, bad); err != nil {
		t.Errorf("the short batch dropped: %v", err)
	}
}
