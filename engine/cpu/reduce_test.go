package cpu

import (
	"math/rand"
	"testing"
)

// TestReductionsThreadIndependent: the Backend reductions give the same
// bits for 1, 2 and 3 threads, and SumRows/SumCols/Mean* equal the
// references exactly (same per-output order), on sizes past the parallel
// threshold.
func TestReductionsThreadIndependent(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	rows, cols := 301, 257
	x := randSlice(rng, rows*cols)
	wantRows, wantCols, wantMR, wantMC, wantSS := make([]float32, rows), make([]float32, cols), make([]float32, rows), make([]float32, cols), make([]float32, 1)
	SumRows(wantRows, x, rows, cols)
	SumCols(wantCols, x, rows, cols)
	MeanRows(wantMR, x, rows, cols)
	MeanCols(wantMC, x, rows, cols)
	var ss1 float32
	for _, th := range []int{1, 2, 3} {
		be := New(Options{Threads: th})
		xt := be.New(rows * cols)
		be.Upload(xt, x)
		r, c, ss := be.New(rows), be.New(cols), be.New(1)
		be.SumRows(r, xt, rows, cols)
		be.SumCols(c, xt, rows, cols)
		checkClose(t, "SumRows", Data(r), wantRows, 0, 0)
		checkClose(t, "SumCols", Data(c), wantCols, 0, 0)
		be.MeanRows(r, xt, rows, cols)
		be.MeanCols(c, xt, rows, cols)
		checkClose(t, "MeanRows", Data(r), wantMR, 0, 0)
		checkClose(t, "MeanCols", Data(c), wantMC, 0, 0)
		be.SumSquares(ss, xt)
		if th == 1 {
			ss1 = Data(ss)[0]
			SumSquares(wantSS, x)
			checkClose(t, "SumSquares vs reference", Data(ss), wantSS, 0, 1e-6)
		} else if Data(ss)[0] != ss1 {
			t.Errorf("SumSquares with %d threads = %v, with 1 thread %v", th, Data(ss)[0], ss1)
		}
	}
}
