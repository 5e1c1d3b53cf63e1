package engine

import (
	"math"
	"testing"
)

// TestRefGemm: a 2x3 by 3x2 product worked by hand, under all four
// transpositions (the same matrices stored transposed), with beta = 0 over
// NaN and beta != 0.
func TestRefGemm(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}     // (2, 3)
	at := []float32{1, 4, 2, 5, 3, 6}    // its transpose (3, 2)
	b := []float32{7, 8, 9, 10, 11, 12}  // (3, 2)
	bt := []float32{7, 9, 11, 8, 10, 12} // its transpose (2, 3)
	ab := []float32{58, 64, 139, 154}    // a b
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		x, y := a, b
		if tr[0] {
			x = at
		}
		if tr[1] {
			y = bt
		}
		nan := float32(math.NaN())
		c := []float32{nan, nan, nan, nan}
		RefGemm(tr[0], tr[1], 2, 2, 3, 0.5, x, y, 0, c)
		for i := range c {
			if c[i] != 0.5*ab[i] {
				t.Errorf("trans %v beta 0: C = %v, want 0.5 * %v", tr, c, ab)
				break
			}
		}
		c = []float32{1, 2, 3, 4}
		RefGemm(tr[0], tr[1], 2, 2, 3, 1, x, y, -2, c)
		for i := range c {
			if want := ab[i] - 2*float32(i+1); c[i] != want {
				t.Errorf("trans %v beta -2: C[%d] = %g, want %g", tr, i, c[i], want)
			}
		}
	}
}
