package engine

// RefGemm is the plain reference matrix product: C (m, n) = alpha * op(A)
// op(B) + beta * C with op(A) (m, k), op(B) (k, n), A (m, k) or, when
// transA, (k, m), B (k, n) or, when transB, (n, k), all row-major,
// accumulated in float64 and rounded once per element. beta == 0 ignores
// C's previous contents (NaN included).
//
// It is the specification of every GEMM (cpu.Gemm is it under the CPU
// backend's name) and lives here, a triple loop with no dependencies, so
// that the Vulkan backend's cooperative-matrix self-check at device open
// can use it without importing the CPU backend.
func RefGemm(transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*m+i]
				} else {
					av = a[i*k+p]
				}
				if transB {
					bv = b[j*k+p]
				} else {
					bv = b[p*n+j]
				}
				s += float64(av) * float64(bv)
			}
			r := float64(alpha) * s
			if beta != 0 {
				r += float64(beta) * float64(c[i*n+j])
			}
			c[i*n+j] = float32(r)
		}
	}
}
