package cpu

import (
	"fmt"
	"math/rand"
	"testing"

	"simclr-vk/engine"
)

// TestWinograd: the Winograd compositions equal the direct references on
// awkward shapes (odd output sizes, so the last tiles are partial; padding
// 0, 1 and 2; one and many channels). The geometry's own test is
// engine.TestWinogradGeometry.
func TestWinograd(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, p := range []engine.Conv2DParams{
		{N: 1, C: 1, H: 1, W: 1, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 3, H: 7, W: 5, K: 13, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 3, C: 13, H: 6, W: 9, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 0, PadW: 2},
		{N: 1, C: 5, H: 4, W: 4, K: 7, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 0},
		{N: 2, C: 17, H: 11, W: 11, K: 9, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	} {
		P, Q := p.OutH(), p.OutW()
		x := randSlice(rng, p.N*p.C*p.H*p.W)
		w := randSlice(rng, p.K*p.C*9)
		dy := randSlice(rng, p.N*p.K*P*Q)
		want, got := make([]float32, len(dy)), make([]float32, len(dy))
		Conv2DForward(want, x, w, p)
		wantDX, gotDX := make([]float32, len(x)), make([]float32, len(x))
		Conv2DBackwardData(wantDX, dy, w, p)
		for _, m := range engine.WinogradTileSizes {
			tol := map[int]float64{2: 1e-5, 4: 1e-4}[m] // F4's transforms round more
			Conv2DForwardWinograd(got, x, w, p, m)
			checkClose(t, fmt.Sprintf("F%d forward %v", m, p), got, want, tol, tol)
			Conv2DBackwardDataWinograd(gotDX, dy, w, p, m)
			checkClose(t, fmt.Sprintf("F%d backward-data %v", m, p), gotDX, wantDX, tol, tol)
		}
		wantDW, gotDW := make([]float32, len(w)), make([]float32, len(w))
		Conv2DBackwardFilter(wantDW, dy, x, p)
		for _, m := range engine.WinogradTileSizes {
			tol := map[int]float64{2: 1e-5, 4: 1e-4}[m]
			Conv2DBackwardFilterWinograd(gotDW, dy, x, p, m)
			checkClose(t, fmt.Sprintf("F(3x3, %dx%d) backward-filter %v", m, m, p), gotDW, wantDW, tol, tol)
		}
	}
}
