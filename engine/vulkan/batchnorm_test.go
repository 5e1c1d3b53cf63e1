package vulkan_test

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
)

// TestConformanceBatchNormSplit runs the BatchNorm and BatchNormParts
// families with the split kernels (partial, finalize, apply) forced on
// whatever device runs the tests: one chunk per channel, 3 chunks (a short
// last one) and as many chunks as vectors.
func TestConformanceBatchNormSplit(t *testing.T) {
	for _, parts := range []int{1, 3, 1 << 20} {
		t.Run(fmt.Sprintf("parts%d", parts), func(t *testing.T) {
			d := openDevice(t, vulkan.Options{BatchNormSplit: parts})
			checkBatchNormPlan(t, d, engine.BatchNormParams{N: 2, C: 3, HW: 16}, min(parts, 2*16/4))
			conformance.RunFamilies(t, d, "BatchNorm", "BatchNormParts")
			checkValidation(t, d)
		})
	}
}

// checkBatchNormPlan fails t unless d's training kernels take the plan
// with parts chunks per channel for p (0: the fused kernels), that is,
// unless Options.BatchNormSplit reached the plan.
func checkBatchNormPlan(t *testing.T, d *vulkan.Device, p engine.BatchNormParams, parts int) {
	t.Helper()
	if got := d.BatchNormSplitParts(p); got != parts {
		t.Fatalf("%+v: plan with %d chunks per channel, want %d (the forced plan)", p, got, parts)
	}
}

// TestBatchNormSplitLarge checks the split kernels on a channel long enough
// for many chunks and several loop iterations per invocation, with vec4
// (HW % 4 == 0) and scalar access, against the CPU reference, and that two
// runs give bit-identical results.
func TestBatchNormSplitLarge(t *testing.T) {
	d := openDevice(t, vulkan.Options{BatchNormSplit: 7})
	checkBatchNormPlan(t, d, engine.BatchNormParams{N: 9, C: 3, HW: 1024}, 7)
	rng := rand.New(rand.NewSource(5))
	for _, s := range []struct {
		n, c, hw int
		lo, hi   float32
	}{{9, 3, 1024, 2, 6}, {5, 2, 1023, 2, 6}, {4, 3, 256, 99, 101}} {
		n, c, hw := s.n, s.c, s.hw
		t.Run(fmt.Sprintf("N%d_C%d_HW%d", n, c, hw), func(t *testing.T) {
			p := engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, Momentum: 0.1, ReLU: true}
			size := n * c * hw
			x := conformance.Rand(rng, size, s.lo, s.hi) // mean far from 0: tests the shifted sums and the merge
			dy := conformance.Rand(rng, size, -1, 1)
			gamma := conformance.Rand(rng, c, 0.5, 1.5)
			beta := conformance.Rand(rng, c, -0.5, 0.5)
			y, rm, rv, sm, si := make([]float32, size), make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
			for i := range rv {
				rv[i] = 1
			}
			rm0, rv0 := slices.Clone(rm), slices.Clone(rv)
			cpu.BatchNormForwardTrain(y, x, gamma, beta, rm, rv, sm, si, n, c, hw, p.Eps, p.Momentum, p.ReLU)
			dx, dg, db := make([]float32, size), make([]float32, c), make([]float32, c)
			cpu.BatchNormBackward(dx, dg, db, dy, x, y, gamma, sm, si, n, c, hw, p.ReLU)
			tol := conformance.Tol{Atol: 2e-6 + 5e-8*float64(n*hw), Rtol: 5e-5}
			var first [][]float32
			for run := 0; run < 2; run++ {
				xt, gt, bt := upload(d, x, size), upload(d, gamma, c), upload(d, beta, c)
				rmt, rvt := upload(d, rm0, c), upload(d, rv0, c)
				yt, smt, sit := d.New(size), d.New(c), d.New(c)
				d.BatchNormForwardTrain(yt, xt, gt, bt, rmt, rvt, smt, sit, p)
				dyt, dxt, dgt, dbt := upload(d, dy, size), d.New(size), d.New(c), d.New(c)
				// The backward on the CPU statistics and y, checked on its own.
				ycpu, smc, sic := upload(d, y, size), upload(d, sm, c), upload(d, si, c)
				d.BatchNormBackward(dxt, dgt, dbt, dyt, xt, ycpu, gt, smc, sic, p)
				got := [][]float32{download(t, d, yt), download(t, d, smt), download(t, d, sit),
					download(t, d, rmt), download(t, d, rvt), download(t, d, dxt), download(t, d, dgt), download(t, d, dbt)}
				want := [][]float32{y, sm, si, rm, rv, dx, dg, db}
				names := []string{"y", "saveMean", "saveInvStd", "runMean", "runVar", "dx", "dgamma", "dbeta"}
				for i := range got {
					conformance.Close(t, names[i], got[i], want[i], tol)
					if run == 1 && !slices.Equal(got[i], first[i]) {
						t.Errorf("%s differs between two runs", names[i])
					}
				}
				first = got
			}
			checkValidation(t, d)
		})
	}
}

// TestBatchNormGuardBand runs the training forward and the backward with
// each output placed directly between two guard bands (Device.NewGuarded),
// with the fused and the split kernels (vec4 and scalar access), checking
// the guards and the values against the CPU references.
func TestBatchNormGuardBand(t *testing.T) {
	for _, plan := range []struct {
		name  string
		force int
	}{{"fused", -1}, {"split", 3}} {
		t.Run(plan.name, func(t *testing.T) {
			d := openDevice(t, vulkan.Options{BatchNormSplit: plan.force})
			checkBatchNormPlan(t, d, engine.BatchNormParams{N: 3, C: 5, HW: 12}, max(plan.force, 0))
			rng := rand.New(rand.NewSource(13))
			for _, s := range [][3]int{{3, 5, 12}, {2, 3, 13}} {
				n, c, hw := s[0], s[1], s[2]
				p := engine.BatchNormParams{N: n, C: c, HW: hw, Eps: 1e-5, Momentum: 0.1, ReLU: true}
				size := n * c * hw
				x, dy := conformance.Rand(rng, size, -1, 3), conformance.Rand(rng, size, -1, 1)
				gamma, beta := conformance.Rand(rng, c, 0.5, 1.5), conformance.Rand(rng, c, -0.5, 0.5)
				y, rm, rv, sm, si := make([]float32, size), make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
				cpu.BatchNormForwardTrain(y, x, gamma, beta, rm, rv, sm, si, n, c, hw, p.Eps, p.Momentum, p.ReLU)
				dx, dg, db := make([]float32, size), make([]float32, c), make([]float32, c)
				cpu.BatchNormBackward(dx, dg, db, dy, x, y, gamma, sm, si, n, c, hw, p.ReLU)
				guard := func(m int) *vulkan.Guarded {
					g, err := d.NewGuarded(conformance.Sentinel, 37, m)
					if err != nil {
						t.Fatal(err)
					}
					return g
				}
				xt, dyt, gt, bt := upload(d, x, size), upload(d, dy, size), upload(d, gamma, c), upload(d, beta, c)
				rmt, rvt := d.New(c), upload(d, make([]float32, c), c)
				d.Fill(rmt, 0)
				yg, smg, sig := guard(size), guard(c), guard(c)
				d.BatchNormForwardTrain(yg.T, xt, gt, bt, rmt, rvt, smg.T, sig.T, p)
				ycpu, smc, sic := upload(d, y, size), upload(d, sm, c), upload(d, si, c)
				dxg, dgg, dbg := guard(size), guard(c), guard(c)
				d.BatchNormBackward(dxg.T, dgg.T, dbg.T, dyt, xt, ycpu, gt, smc, sic, p)
				tol := conformance.Tol{Atol: 1e-5, Rtol: 5e-5}
				for _, o := range []struct {
					name string
					g    *vulkan.Guarded
					want []float32
				}{{"y", yg, y}, {"saveMean", smg, sm}, {"saveInvStd", sig, si}, {"dx", dxg, dx}, {"dgamma", dgg, dg}, {"dbeta", dbg, db}} {
					name := fmt.Sprintf("N%d_C%d_HW%d %s", n, c, hw, o.name)
					if err := o.g.Check(); err != nil {
						t.Errorf("%s: %v", name, err)
					}
					conformance.Close(t, name, download(t, d, o.g.T), o.want, tol)
					o.g.Release()
				}
			}
			checkValidation(t, d)
		})
	}
}
