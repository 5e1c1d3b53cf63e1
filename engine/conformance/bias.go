package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/cpu"
)

// Per-channel bias forward (in place) and backward (sum over n and hw).

var biasCases = [][3]int{{1, 1, 1}, {3, 13, 49}, {2, 64, 1}, {1, 3, 1025}, {4, 129, 16}}

func init() {
	register("Bias", func(t *testing.T, b engine.Backend) {
		rng := rand.New(rand.NewSource(6))
		for _, s := range biasCases {
			n, c, hw := s[0], s[1], s[2]
			name := fmt.Sprintf("n%d_c%d_hw%d", n, c, hw)
			y, bias := Rand(rng, n*c*hw, -1, 1), Rand(rng, c, -1, 1)
			t.Run("BiasForward/"+name, func(t *testing.T) {
				bt := Upload(b, bias, c)
				g := guardOut(b, y, n, c, hw)
				b.BiasForward(g.t, bt, n, c, hw)
				want := append([]float32(nil), y...)
				cpu.BiasForward(want, bias, n, c, hw)
				Close(t, "BiasForward", g.done(t, b, "BiasForward"), want, arith)
				bt.Release()
			})
			t.Run("BiasBackward/"+name, func(t *testing.T) {
				dyt := Upload(b, y, n, c, hw)
				g := guardOut(b, nil, c)
				b.BiasBackward(g.t, dyt, n, c, hw)
				want := make([]float32, c)
				cpu.BiasBackward(want, y, n, c, hw)
				Close(t, "BiasBackward", g.done(t, b, "BiasBackward"), want, sumTol(n*hw))
				dyt.Release()
			})
		}
	})
}
