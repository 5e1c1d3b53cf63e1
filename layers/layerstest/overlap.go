package layerstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine"
	"simclr-vk/layers"
)

// OverlapCase is one comparison of a data-parallel run whose gradient
// all-reduce overlaps the backward pass (layers.OverlapOn) against the
// same run with the all-reduce after it (layers.OverlapOff). World,
// Images, HW, GlobalBN, Steps, Seed, BucketFloats and MicroBatch are as in
// DataParallel; Mutate applies to the overlapped run only.
type OverlapCase struct {
	DataParallelCase
	// Setup, when set, is applied to both runs' models before Mutate
	// (e.g. layers.SetNet with SharedConvNet).
	Setup func(*layers.Model)
}

// Overlap runs c twice on c.World ranks of dist.Local, each rank on a
// backend of its own from newBackend, with and without overlap, and
// returns every difference between the two: the loss and top-1 of every
// step, every gradient and BN running statistic after the first step and
// every parameter after the last, compared bit for bit, on every rank.
// Both runs add the same downloaded gradients in rank order (dist.Local),
// so any difference means a bucket was read before its gradients were
// final (or written back wrong). Setup failures and rank errors fail t.
func Overlap(t testing.TB, newBackend func(testing.TB) engine.Backend, c OverlapCase) []string {
	t.Helper()
	xs := c.views(t)
	run := func(o layers.Overlap, mutate func(*layers.Model)) []rankRun {
		runs := make([]rankRun, c.World)
		backends := make([]engine.Backend, c.World)
		for r := range backends {
			backends[r] = newBackend(t)
		}
		par := layers.Parallel{GlobalBN: c.GlobalBN, BucketFloats: c.BucketFloats, Overlap: o}
		dist.RunLocal(c.World, func(comm dist.Comm) {
			r := comm.Rank()
			runs[r] = runWorld(backends[r], comm, par, c.MicroBatch, c.DataParallelCase, xs, func(m *layers.Model) {
				if c.Setup != nil {
					c.Setup(m)
				}
				if mutate != nil {
					mutate(m)
				}
			})
		})
		for r, run := range runs {
			if run.err != nil {
				t.Fatalf("%v, rank %d of %d: %v", o, r, c.World, run.err)
			}
		}
		return runs
	}
	off := run(layers.OverlapOff, nil)
	on := run(layers.OverlapOn, c.Mutate)
	rec := &recorder{TB: t}
	for r := range on {
		a, b := on[r], off[r]
		sameBits(rec, fmt.Sprintf("rank %d: losses", r), a.loss, b.loss)
		sameBits(rec, fmt.Sprintf("rank %d: top-1s", r), a.top1, b.top1)
		for i := range b.grads {
			sameBits(rec, fmt.Sprintf("rank %d: gradient %d after step 0", r, i), a.grads[i], b.grads[i])
		}
		for i := range b.buffers {
			sameBits(rec, fmt.Sprintf("rank %d: BN running statistic %d after step 0", r, i), a.buffers[i], b.buffers[i])
		}
		for i := range b.params {
			sameBits(rec, fmt.Sprintf("rank %d: parameter %d after %d LARS steps", r, i, c.Steps), a.params[i], b.params[i])
		}
	}
	t.Logf("world %d (global BN %v, micro-batch %d): loss %v, %d differences", c.World, c.GlobalBN, c.MicroBatch, on[0].loss, len(rec.msgs))
	return rec.msgs
}

// sameBits records a difference when got and want are not the same
// float32 bits.
func sameBits(t testing.TB, what string, got, want []float32) {
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("%s: [%d] = %v, want %v (and maybe more)", what, i, got[i], want[i])
			return
		}
	}
}

// SharedConvNet is a network without batch norm that uses one convolution
// twice (conv c1 3->6, ReLU, then conv c2 6->6 twice with ReLUs, global
// average pooling, linear 6->16; weights from a fixed seed): c2's gradient
// is final only after the backward of its first use, which the overlapped
// all-reduce must wait for. Its tensors live as long as the backend.
func SharedConvNet(b engine.Backend) layers.Module {
	n := &sharedNet{
		c1: layers.NewConv2d(b, "c1", 3, 6, 3, 1, 1, true),
		c2: layers.NewConv2d(b, "c2", 6, 6, 3, 1, 1, true),
		fc: layers.NewLinear(b, "fc", 6, 16, true),
	}
	RandomParams(b, n, 7, 0.3)
	return n
}

// RandomParams sets every parameter of m to normal values of deviation
// sd from seed.
func RandomParams(b engine.Backend, m layers.Module, seed uint64, sd float64) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for _, p := range layers.Params(m) {
		v := make([]float32, p.Numel())
		for i := range v {
			v[i] = float32(sd * rng.NormFloat64())
		}
		b.Upload(p.Value, v)
	}
}

type sharedNet struct {
	c1, c2 *layers.Conv2d
	fc     *layers.Linear
}

func (n *sharedNet) Forward(t *layers.Tape, x *layers.Var) *layers.Var {
	relu := layers.ReLU{}
	x = relu.Forward(t, n.c1.Forward(t, x))
	x = relu.Forward(t, n.c2.Forward(t, x))
	x = relu.Forward(t, n.c2.Forward(t, x))
	return n.fc.Forward(t, layers.GlobalAvgPool{}.Forward(t, x))
}

func (n *sharedNet) State() []layers.NamedTensor {
	return append(append(n.c1.State(), n.c2.State()...), n.fc.State()...)
}
