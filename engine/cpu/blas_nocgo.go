//go:build !cgo

package cpu

// Without cgo there is no OpenBLAS: GEMM always uses the pure-Go path.

// BLASName describes the BLAS in use: none in a build without cgo.
func BLASName() string { return "none (built without cgo; pure-Go GEMM)" }

func haveBLAS() bool { return false }

func blasSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	panic("engine/cpu: blasSgemm: built without cgo")
}

func blasSetThreads(n int) {}

func blasPooled(threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	panic("engine/cpu: blasPooled: built without cgo")
}
