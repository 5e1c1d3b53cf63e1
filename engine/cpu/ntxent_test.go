package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// unitRows returns (rows, d) Gaussian rows normalised to unit length; view
// i+N is view i plus noise (0: identical).
func unitRows(rng *rand.Rand, rows, d int, noise float64) []float32 {
	half := rows / 2
	z := make([]float32, rows*d)
	for i := 0; i < half; i++ {
		for j := 0; j < d; j++ {
			v := rng.NormFloat64()
			z[i*d+j] = float32(v)
			z[(i+half)*d+j] = float32(v + noise*rng.NormFloat64())
		}
	}
	norm := make([]float32, rows)
	L2NormalizeForward(z, norm, z, rows, d)
	return z
}

// ntxent64 is an independent float64 NT-Xent: the loss from the definition,
// the gradient by differentiating every logit s_ik = z_i.z_k/tau
// (dL/ds_ik = (p_ik - [k == pos(i)]) / 2N), without the closed form.
// It returns loss, top1 and dL/dz (nil unless grad).
func ntxent64(z []float64, rows, d int, tau float64, grad bool) (float64, float64, []float64) {
	half := rows / 2
	dot := func(i, k int) float64 {
		s := 0.0
		for j := 0; j < d; j++ {
			s += z[i*d+j] * z[k*d+j]
		}
		return s / tau
	}
	loss, top := 0.0, 0
	var dz []float64
	if grad {
		dz = make([]float64, rows*d)
	}
	for i := 0; i < rows; i++ {
		pos := (i + half) % rows
		sp := dot(i, pos)
		m := math.Inf(-1)
		best := true
		for k := 0; k < rows; k++ {
			if k != i {
				m = math.Max(m, dot(i, k))
				if k != pos && dot(i, k) > sp {
					best = false
				}
			}
		}
		sum := 0.0
		for k := 0; k < rows; k++ {
			if k != i {
				sum += math.Exp(dot(i, k) - m)
			}
		}
		lse := m + math.Log(sum)
		loss += lse - sp
		if best {
			top++
		}
		if grad {
			for k := 0; k < rows; k++ {
				if k == i {
					continue
				}
				g := math.Exp(dot(i, k) - lse)
				if k == pos {
					g--
				}
				g /= float64(rows) * tau
				for j := 0; j < d; j++ {
					dz[i*d+j] += g * z[k*d+j]
					dz[k*d+j] += g * z[i*d+j]
				}
			}
		}
	}
	return loss / float64(rows), float64(top) / float64(rows), dz
}

func TestNTXentReferenceVsFloat64(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, c := range []struct {
		rows, d int
		tau     float32
	}{{2, 1, 0.5}, {2, 5, 0.1}, {6, 3, 0.5}, {6, 1, 0.1}, {34, 16, 0.1}, {34, 130, 0.5}, {100, 7, 0.07}} {
		t.Run(fmt.Sprintf("rows%d_d%d_tau%g", c.rows, c.d, c.tau), func(t *testing.T) {
			z := unitRows(rng, c.rows, c.d, 1)
			out, dz := make([]float32, 2), make([]float32, c.rows*c.d)
			NTXentForwardBackward(dz, out, z, c.rows, c.d, c.tau)
			loss, top1, g := ntxent64(to64(z), c.rows, c.d, float64(c.tau), true)
			checkClose64(t, "loss", out[:1], []float64{loss}, 1e-6, 1e-6)
			checkClose64(t, "top1", out[1:], []float64{float64(float32(top1))}, 0, 0)
			checkClose64(t, "dz", dz, g, 1e-6/float64(c.tau), 1e-5)
		})
	}
}

// TestNTXentFiniteDifferences checks the gradient of the whole SimCLR loss
// head, x -> L2 normalise -> NT-Xent, against central differences of the
// float64 forward in x.
func TestNTXentFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, c := range []struct {
		rows, d int
		tau     float32
	}{{2, 3, 0.5}, {6, 4, 0.5}, {10, 5, 0.1}, {8, 1, 0.2}} {
		t.Run(fmt.Sprintf("rows%d_d%d_tau%g", c.rows, c.d, c.tau), func(t *testing.T) {
			rows, d := c.rows, c.d
			x := randRange(rng, rows*d, -2, 2)
			for i := range x { // keep every norm away from 0 for d = 1
				if math.Abs(float64(x[i])) < 0.3 {
					x[i] += 0.6
				}
			}
			// Analytic: float32 references chained.
			z, norm := make([]float32, rows*d), make([]float32, rows)
			L2NormalizeForward(z, norm, x, rows, d)
			out, dz := make([]float32, 2), make([]float32, rows*d)
			NTXentForwardBackward(dz, out, z, rows, d, c.tau)
			dx := make([]float32, rows*d)
			L2NormalizeBackward(dx, dz, z, norm, rows, d)

			f := func(x []float64) float64 {
				z := make([]float64, len(x))
				for r := 0; r < rows; r++ {
					s := 0.0
					for j := 0; j < d; j++ {
						s += x[r*d+j] * x[r*d+j]
					}
					for j := 0; j < d; j++ {
						z[r*d+j] = x[r*d+j] / math.Sqrt(s)
					}
				}
				l, _, _ := ntxent64(z, rows, d, float64(c.tau), false)
				return l
			}
			x64 := to64(x)
			num := fdGrad64(x64, 1e-6, func() float64 { return f(x64) })
			checkClose64(t, "dx vs finite differences", dx, num, 2e-5, 1e-3)
		})
	}
}

func TestNTXentFastVsReference(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	blas, noBLAS := New(Options{Threads: 3}), New(Options{Threads: 2, NoBLAS: true})
	for _, rows := range []int{2, 6, 34, 256, 1030} {
		for _, d := range []int{1, 3, 128, 130} {
			for _, tau := range []float32{0.1, 0.5} {
				be := blas
				if tau == 0.5 {
					be = noBLAS // the pure-Go GEMM under the fast path
				}
				t.Run(fmt.Sprintf("rows%d_d%d_tau%g_blas%v", rows, d, tau, be.UsesBLAS()), func(t *testing.T) {
					z := unitRows(rng, rows, d, 1.5)
					out, dz := make([]float32, 2), make([]float32, rows*d)
					NTXentForwardBackward(dz, out, z, rows, d, tau)
					fo, fdz := make([]float32, 2), make([]float32, rows*d)
					ntxentFast(be, fdz, fo, z, rows, d, tau)
					checkClose64(t, "loss", fo[:1], to64(out[:1]), 1e-6, 1e-6)
					// The GEMM sums the dot products in another order: a
					// positive tying its best negative to the last bit may
					// flip one row.
					checkClose64(t, "top1", fo[1:], to64(out[1:]), 1.01/float64(rows), 0)
					checkClose64(t, "dz", fdz, to64(dz), 1e-6/(float64(tau)*math.Sqrt(float64(rows))), 1e-5)
				})
			}
		}
	}
}

// TestNTXentThreadIndependent: the fast path gives bit-identical results for
// any thread count.
func TestNTXentThreadIndependent(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	rows, d := 130, 33
	z := unitRows(rng, rows, d, 1)
	var ref []float32
	for _, th := range []int{1, 2, 3, 7} {
		o, dz := make([]float32, 2), make([]float32, rows*d)
		ntxentFast(New(Options{Threads: th}), dz, o, z, rows, d, 0.2)
		all := append(o, dz...)
		if ref == nil {
			ref = all
			continue
		}
		checkClose64(t, fmt.Sprintf("threads %d vs 1", th), all, to64(ref), 0, 0)
	}
}

// TestNTXentExtreme: degenerate and large-logit inputs stay finite and
// match the float64 implementation.
func TestNTXentExtreme(t *testing.T) {
	be := New(Options{Threads: 2})
	rng := rand.New(rand.NewSource(5))
	type tc struct {
		name    string
		rows, d int
		tau     float32
		z       []float32
	}
	var cases []tc
	// Every row the same vector: loss log(2N-1), top1 1, gradient 0.
	for _, rows := range []int{2, 6, 34} {
		z := make([]float32, rows*4)
		for i := 0; i < rows; i++ {
			copy(z[i*4:], []float32{0.5, -0.5, 0.5, 0.5})
		}
		cases = append(cases, tc{fmt.Sprintf("identical_rows%d", rows), rows, 4, 0.1, z})
	}
	// Orthonormal pairs: positives identical, negatives orthogonal.
	{
		rows, d := 10, 7
		z := make([]float32, rows*d)
		for i := 0; i < rows/2; i++ {
			z[i*d+i] = 1
			z[(i+rows/2)*d+i] = 1
		}
		cases = append(cases, tc{"orthogonal", rows, d, 0.05, z})
	}
	// Positives opposite (worst case), large logits at tau 0.05.
	{
		rows, d := 12, 3
		z := unitRows(rng, rows, d, 0)
		for i := rows / 2 * d; i < rows*d; i++ {
			z[i] = -z[i]
		}
		cases = append(cases, tc{"opposite_tau0.05", rows, d, 0.05, z})
	}
	// Nearly identical views at tau 0.05: logits up to 20.
	cases = append(cases, tc{"near_identical_tau0.05", 64, 16, 0.05, unitRows(rng, 64, 16, 0.01)})
	cases = append(cases, tc{"random_tau0.01", 40, 2, 0.01, unitRows(rng, 40, 2, 0.5)})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss, top1, g := ntxent64(to64(c.z), c.rows, c.d, float64(c.tau), true)
			for _, impl := range []string{"reference", "fast"} {
				out, dz := make([]float32, 2), make([]float32, c.rows*c.d)
				if impl == "reference" {
					NTXentForwardBackward(dz, out, c.z, c.rows, c.d, c.tau)
				} else {
					ntxentFast(be, dz, out, c.z, c.rows, c.d, c.tau)
				}
				for i, v := range append(out, dz...) {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						t.Fatalf("%s: value %d is %v", impl, i, v)
					}
				}
				checkClose64(t, impl+" loss", out[:1], []float64{loss}, 1e-5, 1e-5)
				checkClose64(t, impl+" top1", out[1:], []float64{float64(float32(top1))}, 0, 0)
				checkClose64(t, impl+" dz", dz, g, 1e-5/float64(c.tau), 1e-4)
			}
			if strings.HasPrefix(c.name, "identical") {
				checkClose64(t, "identical: loss = log(2N-1)", []float32{float32(loss)}, []float64{math.Log(float64(c.rows - 1))}, 1e-6, 1e-6)
			}
		})
	}
}

func TestExpf32(t *testing.T) {
	worst := 0.0
	for x := -120.0; x < 88.7; x += 0.001 {
		got, want := float64(expf32(float32(x))), math.Exp(float64(float32(x)))
		if want < 0x1p-126 {
			if math.Abs(got-want) > 0x1p-149 {
				t.Fatalf("expf32(%v) = %v, want %v", float32(x), got, want)
			}
			continue
		}
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 2.5e-7 {
		t.Errorf("expf32: max relative error %.3g, want <= 2.5e-7 (2 ulp)", worst)
	}
	if v := expf32(float32(math.Inf(-1))); v != 0 {
		t.Errorf("expf32(-Inf) = %v, want 0", v)
	}
}

func TestNTXentShapePanics(t *testing.T) {
	be := New(Options{})
	out := be.New(2)
	checkPanics(t, "even number", func() { be.NTXentForwardBackward(nil, out, be.New(3, 4), 0.5) })
	checkPanics(t, "want (2N, d)", func() { be.NTXentForwardBackward(nil, out, be.New(8), 0.5) })
	checkPanics(t, "temperature", func() { be.NTXentForwardBackward(nil, out, be.New(4, 4), 0) })
	checkPanics(t, "dz has shape", func() { be.NTXentForwardBackward(be.New(4, 3), out, be.New(4, 4), 0.5) })
	checkPanics(t, "out has shape", func() { be.NTXentForwardBackward(nil, be.New(1), be.New(4, 4), 0.5) })
}

// BenchmarkNTXent compares the fast path with the full-matrix reference on
// named shapes (2N x d) and reports GFLOP/s of the fused arithmetic
// (NTXentFLOPs, also charged to the reference).
func BenchmarkNTXent(b *testing.B) {
	for _, s := range [][2]int{{512, 128}, {1024, 128}, {2048, 128}} {
		rows, d := s[0], s[1]
		z := unitRows(rand.New(rand.NewSource(1)), rows, d, 1)
		for _, impl := range []string{"fast", "reference"} {
			b.Run(fmt.Sprintf("%s/2N%d_d%d", impl, rows, d), func(b *testing.B) {
				be := New(Options{})
				zt, out, dz := be.New(rows, d), be.New(2), be.New(rows, d)
				be.Upload(zt, z)
				for b.Loop() {
					if impl == "fast" {
						be.NTXentForwardBackward(dz, out, zt, 0.5)
					} else {
						be.NTXentReference(dz, out, zt, 0.5)
					}
				}
				b.ReportMetric(NTXentFLOPs(rows, d, true)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
