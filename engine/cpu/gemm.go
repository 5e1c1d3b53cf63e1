package cpu

import "simclr-vk/engine"

// Gemm is the reference matrix product: C (m, n) = alpha * op(A) op(B) +
// beta * C with op(A) (m, k), op(B) (k, n), accumulated in float64.
// beta == 0 ignores C's previous contents (NaN included). It is
// engine.RefGemm, kept under this package's name for the reference
// functions (package doc).
func Gemm(transA, transB bool, m, n, k int, alpha float32,
	a /* (m, k), or (k, m) when transA */ []float32,
	b /* (k, n), or (n, k) when transB */ []float32,
	beta float32,
	c /* (m, n) */ []float32) {
	engine.RefGemm(transA, transB, m, n, k, alpha, a, b, beta, c)
}

// GemmBatched is batch independent Gemms over contiguous matrices.
func GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32,
	a /* (batch, m*k) */ []float32,
	b /* (batch, k*n) */ []float32,
	beta float32,
	c /* (batch, m*n) */ []float32) {
	for i := 0; i < batch; i++ {
		Gemm(transA, transB, m, n, k, alpha, a[i*m*k:(i+1)*m*k], b[i*k*n:(i+1)*k*n], beta, c[i*m*n:(i+1)*m*n])
	}
}

// UsesBLAS reports whether this backend's GEMMs go through OpenBLAS.
func (be *Backend) UsesBLAS() bool { return !be.noBLAS && haveBLAS() }

// gemm is the fast path shared by Gemm, GemmBatched and the convolutions:
// OpenBLAS when loaded and allowed, else the pure-Go blocked GEMM. threads
// bounds the parallelism (1 when the caller already runs in parallel).
//
// OpenBLAS runs single-threaded (see blasSgemm) except for very large
// products (blasPoolWork); the others are split here into column (or row)
// blocks of C, one goroutine each, so that the per-image GEMMs of the
// convolutions, run from several goroutines, never meet OpenBLAS's pool.
func (be *Backend) gemm(threads int, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	if !be.UsesBLAS() {
		goGemm(threads, transA, transB, m, n, k, alpha, a, b, beta, c)
		return
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	work := float64(m) * float64(n) * float64(k)
	if threads > 1 && work >= blasPoolWork {
		blasPooled(threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
		return
	}
	parts := min(threads, int(work/blasSplitWork)+1)
	if parts <= 1 {
		blasSgemmFlat(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
		return
	}
	if n >= m {
		// C[:, j0:j1] = op(A) op(B)[:, j0:j1]
		overBlocks16(parts, n, func(j0, j1 int) {
			boff := j0
			if transB {
				boff = j0 * k
			}
			blasSgemmFlat(transA, transB, m, j1-j0, k, alpha, a, lda, b[boff:], ldb, beta, c[j0:], n)
		})
		return
	}
	// C[i0:i1, :] = op(A)[i0:i1, :] op(B)
	overBlocks16(parts, m, func(i0, i1 int) {
		aoff := i0 * k
		if transA {
			aoff = i0
		}
		blasSgemm(transA, transB, i1-i0, n, k, alpha, a[aoff:], lda, b, ldb, beta, c[i0*n:], n)
	})
}

// overBlocks16 cuts [0, total) into at most parts blocks whose size is a
// multiple of 16 (the last one excepted) and runs fn(lo, hi) on each, the
// blocks spread over parts goroutines.
func overBlocks16(parts, total int, fn func(lo, hi int)) {
	step := (total + parts - 1) / parts
	step = (step + 15) &^ 15
	parallelN(parts, (total+step-1)/step, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i*step, min(total, i*step+step))
		}
	})
}

// blasSgemmFlat is blasSgemm on one thread, with flat products (few rows
// of C, many columns: the im2col GEMMs of narrow layers) cut into blocks of
// flatCols columns. OpenBLAS packs the whole of op(B) for a product and
// reuses each packed value only m times; on blocks of about 192 columns it
// runs faster for flat products and brings nothing from 64 rows on, so
// those stay whole (docs/performance.md, P9).
func blasSgemmFlat(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m > 32 || k < 64 || n <= 2*flatCols {
		blasSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for j0 := 0; j0 < n; j0 += flatCols {
		j1 := min(n, j0+flatCols)
		boff := j0
		if transB {
			boff = j0 * ldb
		}
		blasSgemm(transA, transB, m, j1-j0, k, alpha, a, lda, b[boff:], ldb, beta, c[j0:], ldc)
	}
}

// flatCols is the column block of blasSgemmFlat.
const flatCols = 192

// blasSplitWork is the multiply-add count below which an OpenBLAS product
// runs on one goroutine.
const blasSplitWork = 1 << 18

// blasPoolWork is the multiply-add count from which one product goes to
// OpenBLAS's own thread pool instead (it shares the packed panels between
// its threads: about 1.3x the goroutine split at 1024^3, where packing the
// other operand twice costs). Its threads sleep right after the call
// (OPENBLAS_THREAD_TIMEOUT, blas_cgo.go), so they do not compete with the
// goroutines of the next op.
const blasPoolWork = 1 << 27

// Gemm and GemmBatched take a, b and c each float32 or float16 (a float16
// c rounded once, after the float32 product: float16linear.go).
func (be *Backend) Gemm(transA, transB bool, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	engine.CheckBackend("Gemm", be, a, b, c)
	engine.CheckSizes("Gemm", "m n k", m, n, k)
	engine.CheckNumelOf("Gemm", "a", a, m*k, f32or16...)
	engine.CheckNumelOf("Gemm", "b", b, k*n, f32or16...)
	engine.CheckNumelOf("Gemm", "c", c, m*n, f32or16...)
	be.gemm(be.threads, transA, transB, m, n, k, alpha, data(a), data(b), beta, data(c))
	be.roundOut16(c)
}

func (be *Backend) GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	engine.CheckBackend("GemmBatched", be, a, b, c)
	engine.CheckSizes("GemmBatched", "batch m n k", batch, m, n, k)
	engine.CheckNumelOf("GemmBatched", "a", a, batch*m*k, f32or16...)
	engine.CheckNumelOf("GemmBatched", "b", b, batch*k*n, f32or16...)
	engine.CheckNumelOf("GemmBatched", "c", c, batch*m*n, f32or16...)
	defer be.roundOut16(c)
	ad, bd, cd := data(a), data(b), data(c)
	one := func(i, threads int) {
		be.gemm(threads, transA, transB, m, n, k, alpha, ad[i*m*k:(i+1)*m*k], bd[i*k*n:(i+1)*k*n], beta, cd[i*m*n:(i+1)*m*n])
	}
	// Small matrices: one goroutine per batch chunk, each GEMM single
	// threaded. Large ones: batch in order, each GEMM using every thread.
	if batch >= be.threads && m*n*k < 1<<21 {
		be.parallelFor(batch, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				one(i, 1)
			}
		})
		return
	}
	for i := 0; i < batch; i++ {
		one(i, be.threads)
	}
}
