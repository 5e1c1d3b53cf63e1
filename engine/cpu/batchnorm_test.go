package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"simclr-vk/engine"
)

// bn64 is an independent float64 training batch norm; it returns y, the
// batch mean, the biased and the unbiased variance.
func bn64(x, gamma, beta []float64, n, c, hw int, eps float64, relu bool) (y, mean, biased, unbiased []float64) {
	m := float64(n * hw)
	y = make([]float64, len(x))
	mean, biased, unbiased = make([]float64, c), make([]float64, c), make([]float64, c)
	for ch := 0; ch < c; ch++ {
		for i := 0; i < n; i++ {
			for j := 0; j < hw; j++ {
				mean[ch] += x[(i*c+ch)*hw+j] / m
			}
		}
		ss := 0.0
		for i := 0; i < n; i++ {
			for j := 0; j < hw; j++ {
				d := x[(i*c+ch)*hw+j] - mean[ch]
				ss += d * d
			}
		}
		biased[ch], unbiased[ch] = ss/m, ss/(m-1)
		for i := 0; i < n; i++ {
			for j := 0; j < hw; j++ {
				k := (i*c+ch)*hw + j
				v := (x[k] - mean[ch]) / math.Sqrt(biased[ch]+eps)
				if gamma != nil {
					v *= gamma[ch]
				}
				if beta != nil {
					v += beta[ch]
				}
				if relu {
					v = math.Max(v, 0)
				}
				y[k] = v
			}
		}
	}
	return
}

type bnTestVariant struct {
	gamma, beta, relu bool
}

func (v bnTestVariant) String() string {
	return fmt.Sprintf("gamma%v_beta%v_relu%v", v.gamma, v.beta, v.relu)
}

var bnTestVariants = []bnTestVariant{{true, true, false}, {true, true, true}, {true, false, false}, {false, false, false}, {false, false, true}}

// forBNCases runs f as a subtest for every (N, C, HW) shape and every
// variant of bnTestVariants, in that order.
func forBNCases(t *testing.T, shapes [][3]int, f func(t *testing.T, n, c, hw int, v bnTestVariant)) {
	for _, s := range shapes {
		n, c, hw := s[0], s[1], s[2]
		for _, v := range bnTestVariants {
			t.Run(fmt.Sprintf("N%d_C%d_HW%d_%v", n, c, hw, v), func(t *testing.T) { f(t, n, c, hw, v) })
		}
	}
}

func TestBatchNormForwardVsFloat64(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	forBNCases(t, [][3]int{{2, 1, 1}, {3, 5, 7}, {1, 4, 33}, {8, 3, 1}}, func(t *testing.T, n, c, hw int, v bnTestVariant) {
		x := randRange(rng, n*c*hw, 2, 4) // mean far from 0
		var gamma, beta []float32
		if v.gamma {
			gamma = randRange(rng, c, 0.5, 1.5)
		}
		if v.beta {
			beta = randRange(rng, c, -1, 1)
		}
		rm, rv := randRange(rng, c, -1, 1), randRange(rng, c, 0.5, 2)
		y, sm, si := make([]float32, len(x)), make([]float32, c), make([]float32, c)
		rm1, rv1 := append([]float32(nil), rm...), append([]float32(nil), rv...)
		BatchNormForwardTrain(y, x, gamma, beta, rm1, rv1, sm, si, n, c, hw, 1e-5, 0.1, v.relu)

		g64, b64 := to64(gamma), to64(beta)
		wy, mean, biased, unbiased := bn64(to64(x), g64, b64, n, c, hw, 1e-5, v.relu)
		checkClose64(t, "y", y, wy, 1e-6, 1e-5)
		checkClose64(t, "saveMean", sm, mean, 1e-6, 1e-6)
		inv, wrm, wrv := make([]float64, c), make([]float64, c), make([]float64, c)
		for ch := range inv {
			inv[ch] = 1 / math.Sqrt(biased[ch]+1e-5)
			wrm[ch] = 0.9*float64(rm[ch]) + 0.1*mean[ch]
			wrv[ch] = 0.9*float64(rv[ch]) + 0.1*unbiased[ch]
		}
		checkClose64(t, "saveInvStd", si, inv, 0, 1e-6)
		checkClose64(t, "runMean", rm1, wrm, 1e-6, 1e-6)
		checkClose64(t, "runVar (unbiased)", rv1, wrv, 1e-6, 1e-6)

		// Inference with the running statistics = training with
		// the batch statistics when they coincide.
		yi := make([]float32, len(x))
		biased32 := make([]float32, c)
		for ch := range biased32 {
			biased32[ch] = float32(biased[ch])
		}
		BatchNormForwardInfer(yi, x, gamma, beta, sm, biased32, n, c, hw, 1e-5, v.relu)
		checkClose64(t, "infer", yi, wy, 1e-5, 1e-5)
	})
}

// TestBatchNormBackwardFiniteDifferences: the reference backward against
// central differences of the float64 forward of L = sum(y * r).
func TestBatchNormBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	forBNCases(t, [][3]int{{2, 1, 1}, {3, 2, 5}, {1, 3, 9}, {5, 2, 1}}, func(t *testing.T, n, c, hw int, v bnTestVariant) {
		size := n * c * hw
		x := randRange(rng, size, -2, 2)
		gamma, beta := randRange(rng, c, 0.5, 1.5), randRange(rng, c, -0.5, 0.5)
		if !v.gamma {
			gamma = nil
		}
		if !v.beta {
			beta = nil
		}
		r := randRange(rng, size, -1, 1)
		y, sm, si := make([]float32, size), make([]float32, c), make([]float32, c)
		BatchNormForwardTrain(y, x, gamma, beta, make([]float32, c), make([]float32, c), sm, si, n, c, hw, 1e-5, 0.1, v.relu)
		dx := make([]float32, size)
		dg, db := zerosIf(v.gamma, c), zerosIf(v.beta, c)
		BatchNormBackward(dx, dg, db, r, x, y, gamma, sm, si, n, c, hw, v.relu)

		x64, r64 := to64(x), to64(r)
		g64, b64 := to64(gamma), to64(beta)
		f := func() float64 {
			y, _, _, _ := bn64(x64, g64, b64, n, c, hw, 1e-5, v.relu)
			l := 0.0
			for i := range y {
				l += y[i] * r64[i]
			}
			return l
		}
		num := func(p []float64) []float64 { return fdGrad64(p, 1e-6, f) }
		checkClose64(t, "dx", dx, num(x64), 1e-4, 1e-3)
		if v.gamma {
			checkClose64(t, "dgamma", dg, num(g64), 1e-4, 1e-3)
		}
		if v.beta {
			checkClose64(t, "dbeta", db, num(b64), 1e-4, 1e-3)
		}
	})
}

// TestBatchNormBackendMatchesReference: the channel-parallel fast methods
// give the same bits for any thread count, within rounding of the reference
// (the fast kernels use other summation orders and float32 output
// formulas). Sizes: hw 7 and 13 (tails of the 4-wide loops), hw 1 (BN1d),
// and a channel with a large mean against its spread.
func TestBatchNormBackendMatchesReference(t *testing.T) {
	for _, s := range []struct{ n, c, hw int }{{3, 13, 7}, {5, 3, 13}, {17, 4, 1}} {
		for _, relu := range []bool{true, false} {
			testBatchNormBackend(t, s.n, s.c, s.hw, relu)
		}
	}
}

func testBatchNormBackend(t *testing.T, n, c, hw int, relu bool) {
	rng := rand.New(rand.NewSource(3))
	p := engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, Momentum: 0.1, ReLU: relu}
	x, gamma, beta, dy := randRange(rng, n*c*hw, -1, 1), randRange(rng, c, 0.5, 1.5), randRange(rng, c, -1, 1), randRange(rng, n*c*hw, -1, 1)
	for i := 0; i < n; i++ { // channel 1: mean 30, spread 1
		for j := 0; j < hw; j++ {
			x[(i*c+1)*hw+j] += 30
		}
	}
	y, rm, rv, sm, si := make([]float32, n*c*hw), make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
	BatchNormForwardTrain(y, x, gamma, beta, rm, rv, sm, si, n, c, hw, p.Eps, p.Momentum, p.ReLU)
	dx, dg, db := make([]float32, n*c*hw), make([]float32, c), make([]float32, c)
	BatchNormBackward(dx, dg, db, dy, x, y, gamma, sm, si, n, c, hw, p.ReLU)
	tag := fmt.Sprintf("n %d c %d hw %d relu %v", n, c, hw, relu)
	var first [][]float32
	for _, th := range []int{1, 2, 5} {
		be := New(Options{Threads: th})
		up := func(v []float32, shape ...int) *engine.Tensor {
			t := be.New(shape...)
			be.Upload(t, v)
			return t
		}
		xt, gt, bt, dyt := up(x, n, c, hw), up(gamma, c), up(beta, c), up(dy, n, c, hw)
		yt, rmt, rvt, smt, sit := be.New(n, c, hw), be.New(c), be.New(c), be.New(c), be.New(c)
		be.BatchNormForwardTrain(yt, xt, gt, bt, rmt, rvt, smt, sit, p)
		// The backward gets the reference y so that its ReLU mask is the
		// reference's (a y within rounding of 0 could flip it).
		dxt, dgt, dbt := be.New(n, c, hw), be.New(c), be.New(c)
		be.BatchNormBackward(dxt, dgt, dbt, dyt, xt, up(y, n, c, hw), gt, up(sm, c), up(si, c), p)
		got := []struct {
			name string
			t    *engine.Tensor
			want []float32
		}{{"y", yt, y}, {"runMean", rmt, rm}, {"runVar", rvt, rv}, {"saveMean", smt, sm}, {"saveInvStd", sit, si},
			{"dx", dxt, dx}, {"dgamma", dgt, dg}, {"dbeta", dbt, db}}
		for i, g := range got {
			checkClose64(t, fmt.Sprintf("%s threads %d %s", tag, th, g.name), Data(g.t), to64(g.want), 2e-6, 2e-5)
			if th == 1 {
				first = append(first, append([]float32(nil), Data(g.t)...))
				continue
			}
			checkClose64(t, fmt.Sprintf("%s threads %d vs 1 %s", tag, th, g.name), Data(g.t), to64(first[i]), 0, 0)
		}
	}
}

func TestBatchNormPanics(t *testing.T) {
	be := New(Options{})
	c := be.New(4)
	p := engine.BatchNormParams{N: 1, C: 4, HW: 1, Eps: 1e-5, Momentum: 0.1}
	checkPanics(t, "more than 1 value per channel", func() {
		be.BatchNormForwardTrain(be.New(1, 4), be.New(1, 4), nil, nil, c, be.New(4), be.New(4), be.New(4), p)
	})
	p.N = 2
	checkPanics(t, "engine: BatchNormForwardTrain: gamma", func() {
		be.BatchNormForwardTrain(be.New(2, 4), be.New(2, 4), be.New(3), nil, c, be.New(4), be.New(4), be.New(4), p)
	})
	checkPanics(t, "engine: BatchNormBackward: y is nil", func() {
		p.ReLU = true
		be.BatchNormBackward(be.New(2, 4), nil, nil, be.New(2, 4), be.New(2, 4), nil, nil, c, be.New(4), p)
	})
}

// BenchmarkBatchNorm: the training forward and the backward (with ReLU) of
// the backend on the ResNet-18 w16 28x28x1 B=256 shapes (512 views):
// layer1 (512, 16, 28*28) and layer3 (512, 64, 7*7); Mvalues/s counts
// n*c*hw values per op.
func BenchmarkBatchNorm(b *testing.B) {
	for _, s := range []struct {
		name     string
		n, c, hw int
	}{{"layer1_512x16x784", 512, 16, 784}, {"layer3_512x64x49", 512, 64, 49}} {
		be := New(Options{})
		rng := rand.New(rand.NewSource(1))
		p := engine.BatchNormParams{N: s.n, C: s.c, HW: s.hw, Eps: 1e-5, Momentum: 0.1, ReLU: true}
		m := s.n * s.c * s.hw
		up := func(v []float32, shape ...int) *engine.Tensor {
			t := be.New(shape...)
			be.Upload(t, v)
			return t
		}
		x, dy := up(randRange(rng, m, -1, 1), s.n, s.c, s.hw), up(randRange(rng, m, -1, 1), s.n, s.c, s.hw)
		gamma, beta := up(randRange(rng, s.c, 0.5, 1.5), s.c), up(randRange(rng, s.c, -1, 1), s.c)
		y, dx := be.New(s.n, s.c, s.hw), be.New(s.n, s.c, s.hw)
		rm, rv, sm, si, dg, db := be.New(s.c), be.New(s.c), be.New(s.c), be.New(s.c), be.New(s.c), be.New(s.c)
		b.Run(s.name+"/forward_train", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				be.BatchNormForwardTrain(y, x, gamma, beta, rm, rv, sm, si, p)
			}
			b.ReportMetric(float64(m)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
		})
		be.BatchNormForwardTrain(y, x, gamma, beta, rm, rv, sm, si, p)
		b.Run(s.name+"/backward", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				be.BatchNormBackward(dx, dg, db, dy, x, y, gamma, sm, si, p)
			}
			b.ReportMetric(float64(m)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
		})
	}
}

// TestBatchNormPartsComposeToFused: the parts references composed on one
// device (stats, invStd = 1/sqrt(M2/m + eps), apply; backward sums, means
// = sums/m, backward apply) are the fused training references run on each
// group's rows as a batch of its own, within float32 rounding.
func TestBatchNormPartsComposeToFused(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, s := range [][4]int{{4, 3, 5, 1}, {6, 5, 7, 3}, {4, 2, 1, 2}, {8, 3, 4, 4}} {
		n, c, hw, groups := s[0], s[1], s[2], s[3]
		for _, relu := range []bool{false, true} {
			t.Run(fmt.Sprintf("N%d_C%d_HW%d_G%d_relu%v", n, c, hw, groups, relu), func(t *testing.T) {
				const eps = 1e-5
				size, gc, ng, m := n*c*hw, groups*c, n/groups, n/groups*hw
				x, dy := randRange(rng, size, -1, 3), randRange(rng, size, -1, 1)
				gamma, beta := randRange(rng, c, 0.5, 1.5), randRange(rng, c, -0.5, 0.5)

				stats := make([]float32, 2*gc)
				BatchNormStats(stats, x, groups, n, c, hw)
				mean, invStd := make([]float32, gc), make([]float32, gc)
				for k := range mean {
					mean[k] = stats[2*k]
					invStd[k] = float32(1 / math.Sqrt(float64(stats[2*k+1])/float64(m)+eps))
				}
				y := make([]float32, size)
				BatchNormApply(y, x, gamma, beta, mean, invStd, groups, n, c, hw, relu)
				sums := make([]float32, 2*gc)
				BatchNormBackwardSums(sums, dy, x, y, mean, invStd, groups, n, c, hw, relu)
				means := make([]float32, 2*gc)
				for k, v := range sums {
					means[k] = v / float32(m)
				}
				dx := make([]float32, size)
				BatchNormBackwardApply(dx, dy, x, y, gamma, mean, invStd, means, groups, n, c, hw, relu)

				gs := ng * c * hw
				for g := 0; g < groups; g++ {
					sl := func(a []float32) []float32 { return a[g*gs : (g+1)*gs] }
					yw, rm, rv := make([]float32, gs), make([]float32, c), make([]float32, c)
					sm, si := make([]float32, c), make([]float32, c)
					BatchNormForwardTrain(yw, sl(x), gamma, beta, rm, rv, sm, si, ng, c, hw, eps, 0.1, relu)
					dxw, dg, db := make([]float32, gs), make([]float32, c), make([]float32, c)
					BatchNormBackward(dxw, dg, db, sl(dy), sl(x), yw, gamma, sm, si, ng, c, hw, relu)
					checkClose(t, fmt.Sprintf("group %d mean", g), mean[g*c:(g+1)*c], sm, 1e-6, 1e-6)
					checkClose(t, fmt.Sprintf("group %d invStd", g), invStd[g*c:(g+1)*c], si, 1e-6, 1e-5)
					checkClose(t, fmt.Sprintf("group %d y", g), sl(y), yw, 1e-5, 1e-5)
					checkClose(t, fmt.Sprintf("group %d dx", g), sl(dx), dxw, 1e-4, 1e-4)
					for ch := 0; ch < c; ch++ {
						k := g*c + ch
						checkClose(t, fmt.Sprintf("group %d dbeta, dgamma", g), sums[2*k:2*k+2], []float32{db[ch], dg[ch]}, 1e-5, 1e-5)
					}
				}
			})
		}
	}
}

// TestBatchNormInferExact: the backend's inference batch norm (bnInferFast,
// AVX2 on planes of 64+ values) gives the reference's values exactly (a
// zero may differ in sign only), at several thread counts, on planes below
// and above the AVX2 threshold, with and without gamma, beta and ReLU. The
// kNN monitor's features rely on it: they must not change with the kernel.
func TestBatchNormInferExact(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, s := range []struct{ n, c, hw int }{{3, 5, 7}, {4, 6, 64}, {2, 9, 100}, {7, 3, 1}} {
		for _, v := range bnTestVariants {
			n, c, hw := s.n, s.c, s.hw
			x := randRange(rng, n*c*hw, -2, 2)
			gamma, beta := randRange(rng, c, 0.5, 1.5), randRange(rng, c, -1, 1)
			if !v.gamma {
				gamma = nil
			}
			if !v.beta {
				beta = nil
			}
			rm, rv := randRange(rng, c, -0.3, 0.3), randRange(rng, c, 0.2, 3)
			want := make([]float32, n*c*hw)
			BatchNormForwardInfer(want, x, gamma, beta, rm, rv, n, c, hw, 1e-5, v.relu)
			for _, th := range []int{1, 2, 5} {
				be := New(Options{Threads: th})
				up := func(v []float32, shape ...int) *engine.Tensor {
					if v == nil {
						return nil
					}
					t := be.New(shape...)
					be.Upload(t, v)
					return t
				}
				y := be.New(n, c, hw)
				be.BatchNormForwardInfer(y, up(x, n, c, hw), up(gamma, c), up(beta, c), up(rm, c), up(rv, c),
					engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, ReLU: v.relu})
				tag := fmt.Sprintf("n %d c %d hw %d %v threads %d", n, c, hw, v, th)
				for i, g := range Data(y) {
					if g != want[i] {
						t.Fatalf("%s: y[%d] = %g, reference %g", tag, i, g, want[i])
					}
				}
			}
		}
	}
}
