package eltwise

import "testing"

// TestFixedChunks: the partial-reduction chunks of SumSquares and LARS tile
// n exactly, none empty, within the part limit, and (below it) above half
// the target chunk.
func TestFixedChunks(t *testing.T) {
	for _, n := range []int{1, 3, 4095, 4096, 4097, 13 * 4096, 1 << 20, 10_000_019} {
		for _, lim := range [][2]int{{4096, 256}, {4096, 1024}, {1, 3}} {
			parts, chunk := fixedChunks(n, lim[0], lim[1])
			if parts < 1 || parts > lim[1] || (parts-1)*chunk >= n || parts*chunk < n {
				t.Errorf("n %d, limits %v: %d chunks of %d do not tile n", n, lim, parts, chunk)
			}
			if parts > 1 && parts < lim[1] && 2*chunk <= lim[0] {
				t.Errorf("n %d, limits %v: chunks of %d, not above half the target", n, lim, chunk)
			}
		}
	}
}
