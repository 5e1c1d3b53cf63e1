package engine

import "testing"

// TestWinogradGeometry: the eligibility rule, the tile counts (partial last
// tiles included) and the backward-data convolution, whose output is x's
// shape.
func TestWinogradGeometry(t *testing.T) {
	for _, c := range []struct {
		p  Conv2DParams
		ok bool
	}{
		{Conv2DParams{R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, true},
		{Conv2DParams{R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 0}, true},
		{Conv2DParams{R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, false},
		{Conv2DParams{R: 3, S: 3, StrideH: 1, StrideW: 2, PadH: 1, PadW: 1}, false},
		{Conv2DParams{R: 1, S: 1, StrideH: 1, StrideW: 1}, false},
		{Conv2DParams{R: 3, S: 1, StrideH: 1, StrideW: 1}, false},
		{Conv2DParams{R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 3, PadW: 1}, false},
		{Conv2DParams{R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 3}, false},
	} {
		if got := WinogradEligible(c.p); got != c.ok {
			t.Errorf("WinogradEligible(%v) = %v, want %v", c.p, got, c.ok)
		}
	}
	for _, c := range []struct {
		p               Conv2DParams
		m, wantP, wantQ int
	}{
		{Conv2DParams{N: 1, C: 1, H: 1, W: 1, K: 1, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, 2, 1, 1},
		{Conv2DParams{N: 2, C: 3, H: 7, W: 5, K: 13, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, 2, 4, 3},
		{Conv2DParams{N: 2, C: 3, H: 7, W: 5, K: 13, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, 4, 2, 2},
		{Conv2DParams{N: 3, C: 13, H: 6, W: 9, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 0, PadW: 2}, 4, 1, 3},
		{Conv2DParams{N: 1, C: 5, H: 8, W: 8, K: 7, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, 4, 2, 2},
	} {
		if tp, tq := WinogradTiles(c.p, c.m); tp != c.wantP || tq != c.wantQ {
			t.Errorf("WinogradTiles(%v, %d) = %d, %d, want %d, %d", c.p, c.m, tp, tq, c.wantP, c.wantQ)
		}
		q := WinogradDataParams(c.p)
		want := Conv2DParams{N: c.p.N, C: c.p.K, H: c.p.OutH(), W: c.p.OutW(), K: c.p.C, R: 3, S: 3,
			StrideH: 1, StrideW: 1, PadH: 2 - c.p.PadH, PadW: 2 - c.p.PadW}
		if q != want || q.OutH() != c.p.H || q.OutW() != c.p.W || !WinogradEligible(q) {
			t.Errorf("WinogradDataParams(%v) = %v (output %dx%d), want %v with output %dx%d",
				c.p, q, q.OutH(), q.OutW(), want, c.p.H, c.p.W)
		}
	}
}
