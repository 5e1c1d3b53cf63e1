package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

func TestL2NormalizeForwardVsFloat64(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	rows, dim := 5, 9
	x := randRange(rng, rows*dim, -3, 3)
	clear(x[dim : 2*dim]) // a zero row: norm clamped, y = 0
	y, norm := make([]float32, rows*dim), make([]float32, rows)
	L2NormalizeForward(y, norm, x, rows, dim)
	wy, wn := make([]float64, rows*dim), make([]float64, rows)
	for r := 0; r < rows; r++ {
		s := 0.0
		for j := 0; j < dim; j++ {
			s += float64(x[r*dim+j]) * float64(x[r*dim+j])
		}
		wn[r] = math.Max(math.Sqrt(s), 1e-12)
		for j := 0; j < dim; j++ {
			wy[r*dim+j] = float64(x[r*dim+j]) / wn[r]
		}
	}
	checkClose64(t, "y", y, wy, 1e-7, 1e-6)
	checkClose64(t, "norm", norm, wn, 0, 1e-6)
	if norm[1] != float32(L2NormEps) {
		t.Errorf("zero row: norm %v, want %v", norm[1], float32(L2NormEps))
	}
}

// TestL2NormalizeBackwardFiniteDifferences: central differences of the
// float64 normalisation of L = sum(y * r), including a row whose norm is
// clamped (the gradient is then r / 1e-12, as in PyTorch).
func TestL2NormalizeBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, s := range [][2]int{{1, 1}, {3, 4}, {4, 17}} {
		rows, dim := s[0], s[1]
		t.Run(fmt.Sprintf("rows%d_dim%d", rows, dim), func(t *testing.T) {
			x := randRange(rng, rows*dim, 0.2, 2)
			r := randRange(rng, rows*dim, -1, 1)
			y, norm, dx := make([]float32, rows*dim), make([]float32, rows), make([]float32, rows*dim)
			L2NormalizeForward(y, norm, x, rows, dim)
			L2NormalizeBackward(dx, r, y, norm, rows, dim)
			x64 := to64(x)
			f := func() float64 {
				l := 0.0
				for i := 0; i < rows; i++ {
					s := 0.0
					for j := 0; j < dim; j++ {
						s += x64[i*dim+j] * x64[i*dim+j]
					}
					nr := math.Max(math.Sqrt(s), 1e-12)
					for j := 0; j < dim; j++ {
						l += x64[i*dim+j] / nr * float64(r[i*dim+j])
					}
				}
				return l
			}
			checkClose64(t, "dx", dx, fdGrad64(x64, 1e-6, f), 1e-5, 1e-4)
		})
	}
	// Clamped row: x tiny, y = x/1e-12, dx = dy/1e-12.
	x := []float32{1e-14, -2e-14, 0}
	y, norm, dx := make([]float32, 3), make([]float32, 1), make([]float32, 3)
	L2NormalizeForward(y, norm, x, 1, 3)
	dy := []float32{1, 2, 3}
	L2NormalizeBackward(dx, dy, y, norm, 1, 3)
	checkClose64(t, "clamped dx", dx, []float64{1e12, 2e12, 3e12}, 0, 1e-6)
}

func TestL2NormalizePanics(t *testing.T) {
	be := New(Options{})
	checkPanics(t, "engine: L2NormalizeForward: norm", func() { be.L2NormalizeForward(be.New(3, 4), be.New(4), be.New(3, 4), 3, 4) })
	checkPanics(t, "engine: L2NormalizeBackward: rows 0", func() { be.L2NormalizeBackward(be.New(1), be.New(1), be.New(1), be.New(1), 0, 4) })
}
