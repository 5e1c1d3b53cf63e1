package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

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
