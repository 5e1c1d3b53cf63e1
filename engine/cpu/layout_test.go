package cpu

import (
	"math/rand"
	"slices"
	"sync"
	"testing"

	"simclr-vk/engine"
)

// blockChain is a residual block's ops on one backend, forward and
// backward, as layers runs them: conv -> BN+ReLU -> conv -> BN -> Add ->
// ReLU, then the gradients back to x and the filters. Its tensors are
// kept for inspection; mid, when set, runs after the forward pass (a
// plain-only op or a Download in the middle of a blocked chain).
type blockChain struct {
	be                              *Backend
	p                               engine.Conv2DParams
	x, w1, w2, dr                   *engine.Tensor
	y1, b1, y2, b2, s, r            *engine.Tensor // forward
	ds, db2, dy2, db1, dy1, dx      *engine.Tensor // backward
	dw1, dw2, dg1, dbe1, dg2, dbe2  *engine.Tensor
	g1, be1, g2, be2, rm, rv, m, is *engine.Tensor
}

// chainShape is a "same" 3x3 convolution keeping c channels.
func chainShape(n, c, hw int) engine.Conv2DParams {
	return engine.Conv2DParams{N: n, C: c, H: hw, W: hw, K: c, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
}

func newBlockChain(be *Backend, p engine.Conv2DParams, seed int64) *blockChain {
	rng := rand.New(rand.NewSource(seed))
	nx, nw, _ := convSizes(p)
	up := func(v []float32, shape ...int) *engine.Tensor {
		t := be.New(shape...)
		be.Upload(t, v)
		return t
	}
	act := func() *engine.Tensor { return be.New(p.N, p.C, p.H, p.W) }
	ch := func() *engine.Tensor { return be.New(p.C) }
	c := &blockChain{be: be, p: p,
		x: up(randSlice(rng, nx), p.N, p.C, p.H, p.W), w1: up(randSlice(rng, nw), p.K, p.C, 3, 3),
		w2: up(randSlice(rng, nw), p.K, p.C, 3, 3), dr: up(randSlice(rng, nx), p.N, p.C, p.H, p.W),
		g1: up(randRange(rng, p.C, 0.5, 1.5), p.C), be1: up(randSlice(rng, p.C), p.C),
		g2: up(randRange(rng, p.C, 0.5, 1.5), p.C), be2: up(randSlice(rng, p.C), p.C)}
	c.y1, c.b1, c.y2, c.b2, c.s, c.r = act(), act(), act(), act(), act(), act()
	c.ds, c.db2, c.dy2, c.db1, c.dy1, c.dx = act(), act(), act(), act(), act(), act()
	c.dw1, c.dw2 = be.New(p.K, p.C, 3, 3), be.New(p.K, p.C, 3, 3)
	c.dg1, c.dbe1, c.dg2, c.dbe2, c.rm, c.rv, c.m, c.is = ch(), ch(), ch(), ch(), ch(), ch(), ch(), ch()
	return c
}

func (c *blockChain) bn(relu bool) engine.BatchNormParams {
	return engine.BatchNormParams{N: c.p.N, C: c.p.C, HW: c.p.H * c.p.W, Eps: 1e-5, Momentum: 0.1, ReLU: relu}
}

// run is the forward and backward pass (saved statistics shared: the
// backward of each BN follows its own recomputed forward statistics).
func (c *blockChain) run(mid func(c *blockChain)) {
	be, p := c.be, c.p
	m2, is2 := be.New(p.C), be.New(p.C)
	be.Conv2DForward(c.y1, c.x, c.w1, p)
	be.BatchNormForwardTrain(c.b1, c.y1, c.g1, c.be1, c.rm, c.rv, c.m, c.is, c.bn(true))
	be.Conv2DForward(c.y2, c.b1, c.w2, p)
	be.BatchNormForwardTrain(c.b2, c.y2, c.g2, c.be2, c.rm, c.rv, m2, is2, c.bn(false))
	be.Add(c.s, c.b2, c.b1)
	be.ReLUForward(c.r, c.s)
	if mid != nil {
		mid(c)
	}
	be.ReLUBackward(c.ds, c.dr, c.r)
	be.Copy(c.db2, c.ds)
	be.BatchNormBackward(c.dy2, c.dg2, c.dbe2, c.db2, c.y2, nil, c.g2, m2, is2, c.bn(false))
	be.Conv2DBackwardFilter(c.dw2, c.dy2, c.b1, p)
	be.Conv2DBackwardData(c.db1, c.dy2, c.w2, p)
	be.Add(c.db1, c.db1, c.ds) // the residual's gradient accumulated
	be.BatchNormBackward(c.dy1, c.dg1, c.dbe1, c.db1, c.y1, c.b1, c.g1, c.m, c.is, c.bn(true))
	be.Conv2DBackwardFilter(c.dw1, c.dy1, c.x, p)
	be.Conv2DBackwardData(c.dx, c.dy1, c.w1, p)
}

// results downloads what the chain computes, by name.
func (c *blockChain) results() map[string][]float32 {
	out := map[string][]float32{}
	for name, t := range map[string]*engine.Tensor{"r": c.r, "b1": c.b1, "dx": c.dx, "dw1": c.dw1, "dw2": c.dw2,
		"dgamma1": c.dg1, "dbeta1": c.dbe1, "dgamma2": c.dg2, "dbeta2": c.dbe2, "runVar": c.rv} {
		v := make([]float32, t.Numel())
		if err := c.be.Download(t, v); err != nil {
			panic(err)
		}
		out[name] = v
	}
	return out
}

// chainVsBuiltin runs the chain on oneDNN and on the builtin convolutions
// (NCHW throughout) and compares every result; check, unless nil, sees
// the oneDNN chain before its results are downloaded (layout checks).
func chainVsBuiltin(t *testing.T, p engine.Conv2DParams, mid, check func(c *blockChain)) {
	t.Helper()
	ref := newBlockChain(New(Options{Threads: 2, Conv: ConvBuiltin}), p, 7)
	ref.run(mid)
	one := newBlockChain(New(Options{Threads: 2, Conv: ConvOneDNN}), p, 7)
	one.run(mid)
	if err := one.be.Err(); err != nil {
		t.Fatal(err)
	}
	if check != nil {
		check(one)
	}
	want, got := ref.results(), one.results()
	for name, w := range want {
		// Float32 convolutions summed in another order, then normalised:
		// a few ulps of the largest values per pass.
		checkClose(t, p.String()+" "+name, got[name], w, 2e-3, 2e-3)
	}
}

// TestBlockedChain: a residual block forward and backward through oneDNN
// with blocked activations gives the builtin path's results, for channels
// that fill 16-channel blocks (which stay blocked from one op to the
// next, where oneDNN picks nChw16c: AVX-512 CPUs) and ones that do not
// (which stay NCHW).
func TestBlockedChain(t *testing.T) {
	skipWithoutOneDNN(t)
	for _, tc := range []struct {
		c       int
		blocked bool
	}{{16, true}, {32, true}, {8, false}, {24, false}} {
		chainVsBuiltin(t, chainShape(2, tc.c, 5), nil, func(one *blockChain) {
			want := tc.blocked && picksBlocked(one.be, one.p)
			for name, tt := range map[string]*engine.Tensor{"y1": one.y1, "b1": one.b1, "y2": one.y2, "b2": one.b2,
				"s": one.s, "r": one.r, "ds": one.ds, "db2": one.db2, "dy2": one.dy2, "db1": one.db1, "dy1": one.dy1} {
				if _, ok := isBlocked(tt); ok != want {
					t.Errorf("C=%d: %s blocked %v, want %v", tc.c, name, ok, want)
				}
			}
		})
	}
}

// picksBlocked reports whether oneDNN's forward convolution on p takes
// x and writes y in nChw16c (on AVX2-only CPUs it picks nChw8c, and
// activations stay NCHW).
func picksBlocked(be *Backend, p engine.Conv2DParams) bool {
	o := be.onednn
	o.mu.Lock()
	defer o.mu.Unlock()
	e := o.entryLocked(convForward, p)
	return e.pr != nil && e.pr.blk[0] && e.pr.blk[2]
}

// TestBlockedChainPlainOps: plain-only ops, a Download and a view in the
// middle of a blocked chain read NCHW values, and the chain goes on right.
func TestBlockedChainPlainOps(t *testing.T) {
	skipWithoutOneDNN(t)
	p := chainShape(2, 16, 6)
	for name, mid := range map[string]func(c *blockChain){
		"download": func(c *blockChain) {
			v := make([]float32, c.s.Numel())
			c.be.Download(c.s, v)
			c.be.Upload(c.dr, v) // dr depends on the layout seen
		},
		"view": func(c *blockChain) { // a (N, CHW) view through a plain op
			v := c.r.Reshape(p.N, p.C*p.H*p.W)
			c.be.Scale(c.dr.Reshape(p.N, p.C*p.H*p.W), v, 0.5)
		},
		"maxpool": func(c *blockChain) {
			pp := engine.Pool2DParams{N: p.N, C: p.C, H: p.H, W: p.W, KH: 2, KW: 2, StrideH: 2, StrideW: 2}
			y, am := c.be.New(p.N, p.C, 3, 3), c.be.New(p.N, p.C, 3, 3)
			c.be.MaxPool2DForward(y, am, c.b2, pp)
			c.be.MaxPool2DBackward(c.dr, y, am, pp)
		},
		"copy to a new tensor": func(c *blockChain) {
			t := c.be.New(p.N, p.C, p.H, p.W)
			c.be.Copy(t, c.s)
			c.be.Sub(c.dr, c.dr, t)
		},
		"avgpool": func(c *blockChain) {
			y := c.be.New(p.N, p.C)
			c.be.GlobalAvgPoolForward(y, c.r, p.N, p.C, p.H*p.W)
			c.be.GlobalAvgPoolBackward(c.ds, y, p.N, p.C, p.H*p.W)
			c.be.Add(c.dr, c.dr, c.ds)
		},
	} {
		t.Run(name, func(t *testing.T) { chainVsBuiltin(t, p, mid, nil) })
	}
}

// TestBlockedRoundTrip: blocking and unblocking are inverse permutations
// that put channel k of position j of a block at j*16 + k.
func TestBlockedRoundTrip(t *testing.T) {
	be := New(Options{Threads: 2})
	d := nchw{2, 32, 3, 5}
	v := make([]float32, d.numel())
	for i := range v {
		v[i] = float32(i)
	}
	x := be.New(d.n, d.c, d.h, d.w)
	be.Upload(x, v)
	raw := toBlocked(x, d)
	hw := d.h * d.w
	for _, at := range [][3]int{{0, 0, 0}, {0, 17, 4}, {1, 31, 14}, {1, 5, 9}} { // image, channel, position
		i, ch, j := at[0], at[1], at[2]
		got := raw[((i*d.c/blockC+ch/blockC)*hw+j)*blockC+ch%blockC]
		if want := v[(i*d.c+ch)*hw+j]; got != want {
			t.Errorf("blocked (image %d, channel %d, position %d) = %v, want %v", i, ch, j, got, want)
		}
	}
	if back := Data(x); !slices.Equal(back, v) {
		t.Errorf("unblocked values differ from the NCHW ones")
	}
	if _, ok := isBlocked(x); ok {
		t.Errorf("still blocked after Data")
	}
}

// TestBlockedReleaseReuse: writes into a blocked tensor by ops that know
// no layout (Fill, Upload, a pool) leave it NCHW; Release frees a blocked
// one like any other.
func TestBlockedReleaseReuse(t *testing.T) {
	be := New(Options{Threads: 2})
	d := nchw{1, 16, 2, 2}
	x := be.New(d.n, d.c, d.h, d.w)
	v := randSlice(rand.New(rand.NewSource(3)), d.numel())
	for name, write := range map[string]func() []float32{
		"fill":   func() []float32 { be.Fill(x, 2); return slices.Repeat([]float32{2}, d.numel()) },
		"upload": func() []float32 { be.Upload(x, v); return v },
		"scale": func() []float32 {
			src := be.New(d.n, d.c, d.h, d.w)
			be.Upload(src, v)
			be.Scale(x, src, 1)
			return v
		},
	} {
		toBlocked(x, d)
		want := write()
		got := make([]float32, d.numel())
		be.Download(x, got)
		if !slices.Equal(got, want) {
			t.Errorf("%s into a blocked tensor: got %v..., want %v...", name, got[:4], want[:4])
		}
	}
	toBlocked(x, d)
	before := be.MemStats()
	be.Release(x)
	if after := be.MemStats(); after.InUse != before.InUse-int64(4*d.numel()) || after.Tensors != before.Tensors-1 {
		t.Errorf("Release of a blocked tensor: MemStats %+v -> %+v", before, after)
	}
	if _, ok := isBlocked(x); ok || Data(x) != nil {
		t.Errorf("a released tensor keeps its layout or values")
	}
}

// TestBlockedConcurrentReads: goroutines reading one blocked tensor at
// once all see NCHW values (the conversion runs once, under the buffer's
// lock; run with -race).
func TestBlockedConcurrentReads(t *testing.T) {
	be := New(Options{Threads: 2})
	d := nchw{3, 32, 4, 4}
	v := randSlice(rand.New(rand.NewSource(5)), d.numel())
	x := be.New(d.n, d.c, d.h, d.w)
	for round := 0; round < 20; round++ {
		be.Upload(x, v)
		toBlocked(x, d)
		var wg sync.WaitGroup
		errs := make([]bool, 4)
		for g := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got := make([]float32, len(v))
				be.Download(x, got)
				errs[g] = !slices.Equal(got, v)
			}()
		}
		wg.Wait()
		if slices.Contains(errs, true) {
			t.Fatalf("round %d: a concurrent Download saw other values", round)
		}
	}
}

// TestBlockedChainDeterministic: two runs of the blocked chain on fresh
// backends with the same thread count give the same bits.
func TestBlockedChainDeterministic(t *testing.T) {
	skipWithoutOneDNN(t)
	p := chainShape(3, 32, 6)
	var runs []map[string][]float32
	for range 2 {
		c := newBlockChain(New(Options{Threads: 2, Conv: ConvOneDNN}), p, 11)
		c.run(nil)
		runs = append(runs, c.results())
	}
	for name, v := range runs[0] {
		if !slices.Equal(v, runs[1][name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// TestBlockedElementwise: Axpy, Add, AddReLU, Copy and the ReLUs with one operand
// blocked and one NCHW give the NCHW results and leave the output blocked.
func TestBlockedElementwise(t *testing.T) {
	be := New(Options{Threads: 2})
	d := nchw{2, 32, 3, 3}
	rng := rand.New(rand.NewSource(13))
	a, b := randSlice(rng, d.numel()), randSlice(rng, d.numel())
	for name, tc := range map[string]struct {
		op   func(dst, x, y *engine.Tensor)
		want func(i int) float32
	}{
		"Axpy":         {func(dst, x, y *engine.Tensor) { be.Copy(dst, y); be.Axpy(dst, 0.5, x) }, func(i int) float32 { return b[i] + 0.5*a[i] }},
		"Add":          {func(dst, x, y *engine.Tensor) { be.Add(dst, x, y) }, func(i int) float32 { return a[i] + b[i] }},
		"AddReLU":      {func(dst, x, y *engine.Tensor) { be.AddReLU(dst, x, y) }, func(i int) float32 { return max(a[i]+b[i], 0) }},
		"ReLUForward":  {func(dst, x, _ *engine.Tensor) { be.ReLUForward(dst, x) }, func(i int) float32 { return max(a[i], 0) }},
		"ReLUBackward": {func(dst, x, y *engine.Tensor) { be.ReLUBackward(dst, y, x) }, func(i int) float32 { return reluGrad(b[i], a[i]) }},
	} {
		for _, blockedX := range []bool{true, false} {
			x, y, dst := be.New(d.n, d.c, d.h, d.w), be.New(d.n, d.c, d.h, d.w), be.New(d.n, d.c, d.h, d.w)
			be.Upload(x, a)
			be.Upload(y, b)
			if blockedX {
				toBlocked(x, d)
			} else {
				toBlocked(y, d)
			}
			tc.op(dst, x, y)
			_, ok := isBlocked(dst)
			if name == "ReLUForward" && !blockedX {
				ok = !ok // x alone is read: NCHW stays NCHW
			}
			if !ok {
				t.Errorf("%s (blocked x %v): output layout not as expected", name, blockedX)
			}
			got := Data(dst)
			for i := range got {
				if got[i] != tc.want(i) {
					t.Errorf("%s (blocked x %v): [%d] = %v, want %v", name, blockedX, i, got[i], tc.want(i))
					break
				}
			}
		}
	}
}

// TestBlockedRoundFloat16: the float16 emulation's rounding pass leaves a
// blocked activation blocked and rounds every value.
func TestBlockedRoundFloat16(t *testing.T) {
	be := New(Options{Threads: 2})
	d := nchw{2, 16, 3, 5}
	a := randSlice(rand.New(rand.NewSource(17)), d.numel())
	x := be.New(d.n, d.c, d.h, d.w)
	be.Upload(x, a)
	toBlocked(x, d)
	be.RoundFloat16(x)
	if _, ok := isBlocked(x); !ok {
		t.Fatal("RoundFloat16 converted a blocked tensor to NCHW")
	}
	got := Data(x)
	for i, v := range a {
		if want := engine.Float16Round(v); got[i] != want {
			t.Fatalf("[%d] = %v, want %v (float16 of %v)", i, got[i], want, v)
		}
	}
}
