package cpu

import (
	"math"
	"math/bits"
	"math/rand"
	"testing"

	"simclr-vk/engine"
)

// TestBatchNormFinishHostBits: the finishing ops give the bits of what
// layers' batchNormParts computed on the host before they existed (the
// float64 formulas, the running statistics through the backend's Scale
// then Axpy, dgamma and dbeta summed into zeroed vectors), so mixed
// precision's CPU results did not move when it took them. Signed zeros
// and a constant channel included.
func TestBatchNormFinishHostBits(t *testing.T) {
	be := New(Options{})
	rng := rand.New(rand.NewSource(7))
	for _, p := range []engine.BatchNormParams{
		{N: 2, C: 1, HW: 1, Eps: 1e-5, Momentum: 0.1},
		{N: 6, C: 37, HW: 49, Eps: 1e-3, Momentum: 0.01},
	} {
		c, total := p.C, float64(p.N*p.HW)
		stats, sums := make([]float32, 2*c), make([]float32, 2*c)
		for i := range stats {
			stats[i] = float32(rng.NormFloat64()) * 3
			sums[i] = float32(rng.NormFloat64()) * 7
		}
		for ch := 0; ch < c; ch++ {
			stats[2*ch+1] = float32(math.Abs(float64(stats[2*ch+1])))
		}
		stats[1], sums[0] = 0, float32(math.Copysign(0, -1))
		rm0, rv0 := make([]float32, c), make([]float32, c)
		for ch := range rm0 {
			rm0[ch], rv0[ch] = float32(rng.NormFloat64()), 1+rng.Float32()
		}

		// The host code batchNormParts ran before (one group).
		means, invStds := make([]float32, c), make([]float32, c)
		bm, bv := make([]float32, c), make([]float32, c)
		for ch := 0; ch < c; ch++ {
			mu, m2 := float64(stats[2*ch]), float64(stats[2*ch+1])
			means[ch], invStds[ch] = float32(mu), float32(1/math.Sqrt(m2/total+float64(p.Eps)))
			bm[ch], bv[ch] = float32(mu), float32(m2/(total-1))
		}
		want := map[string][]float32{"mean": means, "invStd": invStds}
		for name, target := range map[string][]float32{"runMean": bm, "runVar": bv} {
			init := rm0
			if name == "runVar" {
				init = rv0
			}
			run, tt := be.New(c), be.New(c)
			be.Upload(run, init)
			be.Upload(tt, target)
			be.Scale(run, run, 1-p.Momentum)
			be.Axpy(run, p.Momentum, tt)
			want[name] = data(run)
		}
		dgl, dbl, mh := make([]float32, c), make([]float32, c), make([]float32, 2*c)
		for ch := 0; ch < c; ch++ {
			dbl[ch] += sums[2*ch]
			dgl[ch] += sums[2*ch+1]
		}
		for i := range mh {
			mh[i] = float32(float64(sums[i]) / total)
		}
		want["dgamma"], want["dbeta"], want["means"] = dgl, dbl, mh

		got := map[string]*engine.Tensor{}
		for _, k := range []string{"mean", "invStd", "runMean", "runVar", "dgamma", "dbeta"} {
			got[k] = be.New(c)
		}
		got["means"], got["stats"], got["sums"] = be.New(c, 2), be.New(c, 2), be.New(c, 2)
		be.Upload(got["runMean"], rm0)
		be.Upload(got["runVar"], rv0)
		be.Upload(got["stats"], stats)
		be.Upload(got["sums"], sums)
		be.BatchNormFinish(got["mean"], got["invStd"], got["runMean"], got["runVar"], got["stats"], p)
		be.BatchNormBackwardFinish(got["dgamma"], got["dbeta"], got["means"], got["sums"], p)
		for k, w := range want {
			for i, g := range data(got[k]) {
				if math.Float32bits(g) != math.Float32bits(w[i]) {
					t.Errorf("%+v: %s[%d] = %g (%#x), the host code gave %g (%#x): %d bits apart",
						p, k, i, g, math.Float32bits(g), w[i], math.Float32bits(w[i]), bits.OnesCount32(math.Float32bits(g)^math.Float32bits(w[i])))
					break
				}
			}
		}
	}
}
