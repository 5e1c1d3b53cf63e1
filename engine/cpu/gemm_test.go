package cpu

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestGemmFastPaths compares the pure-Go blocked GEMM (1 and 3 threads) and
// OpenBLAS (when it can be loaded) with the reference on shapes crossing
// the packing blocks (gemmKC, gemmNC) and micro-tile edges.
func TestGemmFastPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	// {16, 785, 144}: a flat product that blasSgemmFlat cuts into column
	// blocks, the last one partial.
	shapes := [][3]int{{1, 1, 1}, {5, 3, 2}, {4, 4, 4}, {17, 9, 300}, {33, 515, 257}, {130, 70, 513}, {16, 785, 144}}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			a, b, c0 := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m*n)
			want := append([]float32(nil), c0...)
			Gemm(tr[0], tr[1], m, n, k, 0.5, a, b, -2, want)
			name := fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v", m, n, k, tr[0], tr[1])
			for _, th := range []int{1, 3} {
				got := append([]float32(nil), c0...)
				goGemm(th, tr[0], tr[1], m, n, k, 0.5, a, b, -2, got)
				checkClose(t, fmt.Sprintf("goGemm/%s/threads%d", name, th), got, want, 1e-6*float64(k+4), 1e-5)
			}
			for _, th := range []int{1, 2} {
				if !haveBLAS() {
					break
				}
				got := append([]float32(nil), c0...)
				New(Options{}).gemm(th, tr[0], tr[1], m, n, k, 0.5, a, b, -2, got)
				checkClose(t, fmt.Sprintf("OpenBLAS/%s/threads%d", name, th), got, want, 1e-6*float64(k+4), 1e-5)
			}
		}
	}
	if !haveBLAS() {
		t.Logf("OpenBLAS not loadable here; only the pure-Go path was checked")
	}
}

// TestGemmDeterministic: the pure-Go GEMM gives bit-identical results for
// any thread count.
func TestGemmDeterministic(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	m, n, k := 67, 531, 300
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	ref := make([]float32, m*n)
	goGemm(1, false, false, m, n, k, 1, a, b, 0, ref)
	for _, th := range []int{2, 3, 7} {
		got := make([]float32, m*n)
		goGemm(th, false, false, m, n, k, 1, a, b, 0, got)
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("threads %d: [%d] = %v, 1 thread gives %v", th, i, got[i], ref[i])
			}
		}
	}
}

// BenchmarkGemm reports GFLOP/s of the backend GEMM (OpenBLAS when
// loaded, single-threaded per block of C) and of the pure-Go path on square
// sizes and ResNet-18 shapes (im2col GEMMs of CIFAR-stem layers), and for
// 1024^3 of one OpenBLAS call on its own thread pool, the baseline.
func BenchmarkGemm(b *testing.B) {
	shapes := []struct {
		name    string
		m, n, k int
	}{
		{"square256", 256, 256, 256},
		{"square512", 512, 512, 512},
		{"square1024", 1024, 1024, 1024},
		// conv as GEMM: (K) x (N*P*Q) x (C*R*S)
		{"resnet_w64_layer1_3x3_64to64_32x32", 64, 1024, 576},
		{"resnet_w64_layer4_3x3_512to512_4x4", 512, 16, 4608},
		{"resnet_fc_512x512_batch512", 512, 512, 512},
	}
	for _, s := range shapes {
		impls := []string{"backend", "purego"}
		if s.name == "square1024" {
			// Baseline for the backend: one cblas_sgemm on OpenBLAS's own
			// thread pool (last: the pool spins for a while afterwards).
			impls = append(impls, "openblas_pool")
		}
		for _, impl := range impls {
			if impl != "purego" && !haveBLAS() {
				continue
			}
			b.Run(s.name+"/"+impl, func(b *testing.B) {
				rng := rand.New(rand.NewSource(1))
				a, bb, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
				be := New(Options{NoBLAS: impl == "purego"})
				b.ResetTimer()
				cpu0 := processCPUSeconds()
				if impl == "openblas_pool" {
					blasSetThreads(be.threads)
					defer blasSetThreads(1)
					for i := 0; i < b.N; i++ {
						blasSgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
					}
				}
				for i := 0; i < b.N && impl != "openblas_pool"; i++ {
					be.gemm(be.threads, false, false, s.m, s.n, s.k, 1, a, bb, 0, c)
				}
				reportFlops(b, 2*float64(s.m)*float64(s.n)*float64(s.k), cpu0)
			})
		}
	}
}
