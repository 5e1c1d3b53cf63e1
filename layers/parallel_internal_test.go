package layers

import (
	"math"
	"strings"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// TestAllreduceSumBuckets: tensors of several sizes packed into buckets of
// 6 floats (two share one, a 13-float tensor gets its own) come back as the
// sum over 3 ranks times the scale, on every rank.
func TestAllreduceSumBuckets(t *testing.T) {
	sizes := []int{5, 1, 13, 2}
	const world = 3
	got := make([][][]float32, world)
	errs := make([]error, world)
	dist.RunLocal(world, func(comm dist.Comm) {
		r := comm.Rank()
		b := cpu.New(cpu.Options{Threads: 1})
		var ts []*engine.Tensor
		for i, n := range sizes {
			v := make([]float32, n)
			for j := range v {
				v[j] = float32(100*r + 10*i + j)
			}
			x := b.New(n)
			b.Upload(x, v)
			ts = append(ts, x)
		}
		errs[r] = allreduceSum(b, comm, ts, 6, 0.5)
		for _, x := range ts {
			h := make([]float32, x.Numel())
			b.Download(x, h)
			got[r] = append(got[r], h)
		}
	})
	for r := range got {
		if errs[r] != nil {
			t.Fatalf("rank %d: %v", r, errs[r])
		}
		for i, n := range sizes {
			for j := 0; j < n; j++ {
				want := 0.5 * float32(300+3*(10*i+j)) // sum over r of 100r + 10i + j
				if got[r][i][j] != want {
					t.Fatalf("rank %d tensor %d [%d]: %v, want %v", r, i, j, got[r][i][j], want)
				}
			}
		}
	}
}

// TestStepMismatchedRanksFails: ranks that step on different batch sizes
// get an error on every rank (the all-gather of z disagrees), not a hang
// and not a silently wrong step.
func TestStepMismatchedRanksFails(t *testing.T) {
	errs := make([]error, 2)
	dist.RunLocal(2, func(comm dist.Comm) {
		r := comm.Rank()
		b := cpu.New(cpu.Options{Threads: 1})
		m, err := NewModel(b, Config{Encoder: ResNetConfig{Arch: "resnet18", Stem: StemCIFAR, Width: 1.0 / 16, InChannels: 3}, Head: HeadConfig{Out: 8}, Seed: 1})
		if err != nil {
			errs[r] = err
			return
		}
		defer m.Release()
		if err := m.SetParallel(Parallel{Comm: comm, GlobalBN: true}); err != nil {
			errs[r] = err
			return
		}
		n := 2 + r
		x := b.New(2*n, 3, 8, 8)
		defer x.Release()
		b.Upload(x, make([]float32, 2*n*3*64))
		_, _, errs[r] = m.Step(x, 0.5)
	})
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "Allgather") {
			t.Errorf("rank %d: %v, want an Allgather error", r, err)
		}
	}
}

// bnRun is one BatchNormOp (ReLU fused) forward and backward on a tape
// with the given parallel state: y, dx, dgamma, dbeta and the running
// statistics after it.
type bnRun struct{ y, dx, dg, db, rm, rv []float32 }

func runBN(t *testing.T, b engine.Backend, par parallel, x, dy, gamma, beta []float32, n, c, hw int) bnRun {
	t.Helper()
	pool := NewPool(b)
	tp := NewTape(b, pool, true, true)
	tp.par = par
	bn := NewBatchNorm(b, "bn", c, true)
	b.Upload(bn.Gamma.Value, gamma)
	b.Upload(bn.Beta.Value, beta)
	xt := b.New(n, c, hw)
	defer xt.Release()
	b.Upload(xt, x)
	xv := &Var{Value: xt, Shape: []int{n, c, 1, hw}, requiresGrad: true}
	y := tp.BatchNormOp(xv, bn, true)
	var run bnRun
	get := func(x *engine.Tensor) []float32 {
		h := make([]float32, x.Numel())
		if err := b.Download(x, h); err != nil {
			t.Error(err) // Error, not Fatal: runBN runs on rank goroutines
		}
		return h
	}
	run.y = get(y.Value)
	dyt := b.New(n, c, hw)
	defer dyt.Release()
	b.Upload(dyt, dy)
	tp.Seed(y, dyt)
	tp.Backward([]*Param{bn.Gamma, bn.Beta})
	if tp.par.err != nil {
		t.Error(tp.par.err)
	}
	run.dx, run.dg, run.db = get(xv.Grad), get(bn.Gamma.Grad), get(bn.Beta.Grad)
	run.rm, run.rv = get(bn.RunningMean.Value), get(bn.RunningVar.Value)
	pool.Put(xv.Grad)
	releaseState(bn)
	pool.Trim()
	return run
}

func closeSlices(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	for i := range want {
		if d := float64(got[i]) - float64(want[i]); !(d <= tol*(1+abs64(want[i])) && -d <= tol*(1+abs64(want[i]))) {
			t.Errorf("%s[%d]: got %v, want %v", what, i, got[i], want[i])
			return
		}
	}
}

func abs64(v float32) float64 {
	if v < 0 {
		return -float64(v)
	}
	return float64(v)
}

// TestGlobalBatchNormOp: BatchNormOp with global BN on 3 ranks (2 rows each
// of a (6, 3, 5) batch whose mean is 100 times its spread) gives every
// rank its rows of the single-device y and dx, dgamma / dbeta summing over
// the ranks to the single-device ones, and the single-device running
// statistics, on every rank. (The mean is far from 0 to stress the merge
// of the statistics; y's tolerance is float32 rounding of scale*x ~ 200.)
func TestGlobalBatchNormOp(t *testing.T) {
	const n, c, hw, world = 6, 3, 5, 3
	x, dy := make([]float32, n*c*hw), make([]float32, n*c*hw)
	for i := range x {
		x[i] = 100 + float32((i*37)%11)/7
		dy[i] = float32((i*13)%7)/3 - 1
	}
	gamma, beta := []float32{0.5, 1.5, -1}, []float32{0.1, -0.2, 0.3}
	ref := runBN(t, cpu.New(cpu.Options{Threads: 1}), parallel{}, x, dy, gamma, beta, n, c, hw)
	runs := make([]bnRun, world)
	per := n / world * c * hw
	dist.RunLocal(world, func(comm dist.Comm) {
		r := comm.Rank()
		par := parallel{comm: comm, global: true, groups: 1, on: true}
		runs[r] = runBN(t, cpu.New(cpu.Options{Threads: 1}), par, x[r*per:(r+1)*per], dy[r*per:(r+1)*per], gamma, beta, n/world, c, hw)
	})
	dg, db := make([]float32, c), make([]float32, c)
	for r, run := range runs {
		closeSlices(t, "y", run.y, ref.y[r*per:(r+1)*per], 1e-4)
		closeSlices(t, "dx", run.dx, ref.dx[r*per:(r+1)*per], 1e-4)
		closeSlices(t, "running mean", run.rm, ref.rm, 1e-6)
		closeSlices(t, "running var", run.rv, ref.rv, 1e-4)
		for ch := 0; ch < c; ch++ {
			dg[ch] += run.dg[ch]
			db[ch] += run.db[ch]
		}
	}
	closeSlices(t, "dgamma summed over the ranks", dg, ref.dg, 1e-4)
	closeSlices(t, "dbeta summed over the ranks", db, ref.db, 1e-4)
}

// TestBatchNormGroupsOp: BN groups of 2 on a batch of 2 views of 4 images
// (8 rows: view 1 of images 0-3, view 2 of images 0-3) normalise group u =
// both views of images 2u, 2u+1 as a batch of its own: y and dx are the
// single-device BN's on those 4 rows, dgamma / dbeta the sums over the
// groups, the running statistics move towards the groups' average.
func TestBatchNormGroupsOp(t *testing.T) {
	const n, c, hw, groups = 8, 2, 3, 2
	x, dy := make([]float32, n*c*hw), make([]float32, n*c*hw)
	for i := range x {
		x[i] = float32((i*29)%17)/5 + float32(i/(c*hw)) // rows differ in mean
		dy[i] = float32((i*11)%5)/2 - 1
	}
	gamma, beta := []float32{0.7, 1.2}, []float32{0.1, -0.4}
	b := cpu.New(cpu.Options{Threads: 1})
	got := runBN(t, b, parallel{groups: groups, on: true}, x, dy, gamma, beta, n, c, hw)
	row := c * hw
	dg, db, rm, rv := make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
	for u := 0; u < groups; u++ {
		rows := []int{2 * u, 2*u + 1, 4 + 2*u, 4 + 2*u + 1}
		var xg, dyg []float32
		for _, r := range rows {
			xg = append(xg, x[r*row:(r+1)*row]...)
			dyg = append(dyg, dy[r*row:(r+1)*row]...)
		}
		want := runBN(t, b, parallel{}, xg, dyg, gamma, beta, len(rows), c, hw)
		for i, r := range rows {
			closeSlices(t, "y", got.y[r*row:(r+1)*row], want.y[i*row:(i+1)*row], 1e-5)
			closeSlices(t, "dx", got.dx[r*row:(r+1)*row], want.dx[i*row:(i+1)*row], 1e-5)
		}
		for ch := 0; ch < c; ch++ {
			dg[ch] += want.dg[ch]
			db[ch] += want.db[ch]
			rm[ch] += want.rm[ch] / groups
			rv[ch] += (want.rv[ch] - 0.9) / groups // running var starts at 1: 0.9 + 0.1*var
		}
	}
	for ch := range rv {
		rv[ch] += 0.9
	}
	closeSlices(t, "dgamma", got.dg, dg, 1e-5)
	closeSlices(t, "dbeta", got.db, db, 1e-5)
	closeSlices(t, "running mean", got.rm, rm, 1e-6)
	closeSlices(t, "running var", got.rv, rv, 1e-6)
}

// TestCheckInSync: ranks with the same seed agree; one changed value of
// one running statistic on rank 2 makes every rank's check fail naming it.
func TestCheckInSync(t *testing.T) {
	errs := make([][2]error, 3)
	dist.RunLocal(3, func(comm dist.Comm) {
		r := comm.Rank()
		b := cpu.New(cpu.Options{Threads: 1})
		m, err := NewModel(b, Config{Encoder: ResNetConfig{Arch: "resnet18", Stem: StemCIFAR, Width: 1.0 / 16, InChannels: 3}, Seed: 4})
		if err != nil {
			errs[r][0] = err
			return
		}
		defer m.Release()
		if err := m.SetParallel(Parallel{Comm: comm}); err != nil {
			errs[r][0] = err
			return
		}
		errs[r][0] = m.CheckInSync()
		if r == 2 {
			rv := m.Buffers()[1].Value // a running_var
			h := make([]float32, rv.Numel())
			b.Download(rv, h)
			h[len(h)-1] = math.Nextafter32(h[len(h)-1], 2)
			b.Upload(rv, h)
		}
		errs[r][1] = m.CheckInSync()
	})
	for r, e := range errs {
		if e[0] != nil {
			t.Errorf("rank %d, same state: %v", r, e[0])
		}
		if e[1] == nil || !strings.Contains(e[1].Error(), "rank 2 hash") {
			t.Errorf("rank %d, rank 2 changed: %v, want an error naming rank 2", r, e[1])
		}
	}
}

// TestGatheredNTXent: with z of the global batch split over 3 ranks (rank
// r holds rows r*n.. of each view), every rank's gathered NT-Xent gives the
// single-device loss and top-1 and, for its rows, the single-device dz,
// bit for bit (every rank runs the same op on the same gathered rows).
func TestGatheredNTXent(t *testing.T) {
	const world, n, d = 3, 2, 5
	const bigN = world * n
	const tau = 0.3
	z := make([]float32, 2*bigN*d)
	for i := range z {
		z[i] = float32(math.Sin(float64(7*i + 1)))
	}
	for r := 0; r < 2*bigN; r++ { // unit rows
		s := 0.0
		for _, v := range z[r*d : (r+1)*d] {
			s += float64(v) * float64(v)
		}
		for j := r * d; j < (r+1)*d; j++ {
			z[j] /= float32(math.Sqrt(s))
		}
	}
	b := cpu.New(cpu.Options{Threads: 1})
	zt, dzt, out := b.New(2*bigN, d), b.New(2*bigN, d), b.New(2)
	b.Upload(zt, z)
	b.NTXentForwardBackward(dzt, out, zt, tau)
	want, wantOut := make([]float32, 2*bigN*d), make([]float32, 2)
	b.Download(dzt, want)
	b.Download(out, wantOut)

	dist.RunLocal(world, func(comm dist.Comm) {
		r := comm.Rank()
		b := cpu.New(cpu.Options{Threads: 1})
		pool := NewPool(b)
		m := &Model{b: b, pool: pool, tape: NewTape(b, pool, true, true), out: b.New(2), par: Parallel{Comm: comm}}
		local := append(append([]float32(nil), z[r*n*d:(r+1)*n*d]...), z[(bigN+r*n)*d:(bigN+r*n+n)*d]...)
		zl := b.New(2*n, d)
		b.Upload(zl, local)
		zv := &Var{Value: zl, Shape: []int{2 * n, d}, requiresGrad: true}
		m.gatheredNTXent(m.tape, zv, tau)
		if err := m.tape.par.err; err != nil {
			t.Errorf("rank %d: %v", r, err)
			return
		}
		got, gotOut := make([]float32, 2*n*d), make([]float32, 2)
		b.Download(zv.Grad, got)
		b.Download(m.out, gotOut)
		if gotOut[0] != wantOut[0] || gotOut[1] != wantOut[1] {
			t.Errorf("rank %d: loss, top1 %v, single device %v", r, gotOut, wantOut)
		}
		for v := 0; v < 2; v++ {
			for i := 0; i < n*d; i++ {
				if g, w := got[v*n*d+i], want[(v*bigN+r*n)*d+i]; g != w {
					t.Errorf("rank %d view %d dz[%d]: %v, single device %v", r, v, i, g, w)
					return
				}
			}
		}
	})
}

// stallingCPU is the CPU backend saying that its downloads stall (as the
// Vulkan backend does).
type stallingCPU struct{ engine.Backend }

func (stallingCPU) DownloadStalls() bool { return true }

// TestOverlapAuto: OverlapAuto overlaps on a backend whose downloads do
// not stall, and on one whose downloads stall with global BN only;
// OverlapOn always, OverlapOff never; a Comm without IallreduceSum never.
func TestOverlapAuto(t *testing.T) {
	cpuB := cpu.New(cpu.Options{Threads: 1})
	comm := dist.Local(2)[0]
	for _, tc := range []struct {
		b      engine.Backend
		comm   dist.Comm
		o      Overlap
		synced bool
		want   bool
	}{
		{cpuB, comm, OverlapAuto, false, true},
		{stallingCPU{cpuB}, comm, OverlapAuto, false, false},
		{stallingCPU{cpuB}, comm, OverlapAuto, true, true},
		{stallingCPU{cpuB}, comm, OverlapOn, false, true},
		{cpuB, comm, OverlapOff, true, false},
		{cpuB, blockingComm{comm}, OverlapOn, true, false},
	} {
		g := newGradSync(tc.b, &timedComm{Comm: tc.comm}, tc.o, 1, tc.synced)
		if got := g.async != nil; got != tc.want {
			t.Errorf("%T, %T, %v, synced %v: overlap %v, want %v", tc.b, tc.comm, tc.o, tc.synced, got, tc.want)
		}
	}
}

// blockingComm hides IallreduceSum.
type blockingComm struct{ dist.Comm }

// TestOverlapOption: the modes' names parse back; others are errors, in
// ParseOverlap and in SetParallel.
func TestOverlapOption(t *testing.T) {
	for o := OverlapAuto; o <= OverlapOn; o++ {
		if got, err := ParseOverlap(o.String()); got != o || err != nil {
			t.Errorf("ParseOverlap(%q) = %v, %v", o.String(), got, err)
		}
	}
	if _, err := ParseOverlap("yes"); err == nil || !strings.Contains(err.Error(), "want auto, on or off") {
		t.Errorf("ParseOverlap(yes): %v", err)
	}
	m := &Model{b: cpu.New(cpu.Options{Threads: 1}), tape: &Tape{}}
	if err := m.SetParallel(Parallel{Overlap: OverlapOn + 1}); err == nil || !strings.Contains(err.Error(), "Overlap(3) is not an overlap mode") {
		t.Errorf("SetParallel with Overlap(3): %v", err)
	}
}
