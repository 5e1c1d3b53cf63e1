package cpu

// Pure-Go GEMM for machines without OpenBLAS: op(B) is packed in blocks of
// gemmKC x gemmNC as column panels of gemmNR, op(A) in row panels of gemmMR
// per goroutine, and a gemmMR x gemmNR register-blocked kernel accumulates in
// float32. Row panels of C are split over goroutines, so each element of C
// is computed by one goroutine in a fixed order: results do not depend on
// the thread count.

const (
	gemmMR = 4
	gemmNR = 4
	gemmKC = 256
	gemmNC = 512
)

func goGemm(threads int, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	// C = beta * C first (beta == 0 clears, ignoring NaN).
	if beta != 1 {
		for i := range c[:m*n] {
			if beta == 0 {
				c[i] = 0
			} else {
				c[i] *= beta
			}
		}
	}
	if alpha == 0 {
		return
	}
	panels := (m + gemmMR - 1) / gemmMR
	// Packing buffers come from the scratch pools (packB and packA write
	// every entry the kernel reads): the convolutions and NT-Xent call this
	// once per image or tile.
	bp := getScratch(gemmKC * ((min(gemmNC, n) + gemmNR - 1) / gemmNR) * gemmNR)
	defer putScratch(bp)
	for pc := 0; pc < k; pc += gemmKC {
		kc := min(gemmKC, k-pc)
		for jc := 0; jc < n; jc += gemmNC {
			nc := min(gemmNC, n-jc)
			packB(bp, transB, b, n, k, pc, kc, jc, nc)
			work := func(lo, hi int) {
				ap := getScratch(gemmKC * gemmMR)
				defer putScratch(ap)
				for ip := lo; ip < hi; ip++ {
					i0 := ip * gemmMR
					mr := min(gemmMR, m-i0)
					packA(ap, transA, a, m, k, i0, mr, pc, kc)
					for jp := 0; jp*gemmNR < nc; jp++ {
						j0 := jc + jp*gemmNR
						nr := min(gemmNR, n-j0)
						kernel4x4(kc, ap, bp[jp*kc*gemmNR:(jp+1)*kc*gemmNR], alpha, c, n, i0, j0, mr, nr)
					}
				}
			}
			if threads <= 1 || panels < 2 || m*nc*kc < 1<<16 {
				work(0, panels)
			} else {
				parallelN(threads, panels, work)
			}
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into bp as panels of gemmNR
// columns: bp[jp*kc*NR + p*NR + jj], zero beyond n.
func packB(bp []float32, transB bool, b []float32, n, k, pc, kc, jc, nc int) {
	for jp := 0; jp*gemmNR < nc; jp++ {
		dst := bp[jp*kc*gemmNR : (jp+1)*kc*gemmNR]
		for p := 0; p < kc; p++ {
			for jj := 0; jj < gemmNR; jj++ {
				j := jc + jp*gemmNR + jj
				var v float32
				if j < jc+nc {
					if transB {
						v = b[j*k+pc+p]
					} else {
						v = b[(pc+p)*n+j]
					}
				}
				dst[p*gemmNR+jj] = v
			}
		}
	}
}

// packA copies op(A)[i0:i0+mr, pc:pc+kc] into ap[p*MR + ii], zero beyond mr.
func packA(ap []float32, transA bool, a []float32, m, k, i0, mr, pc, kc int) {
	for p := 0; p < kc; p++ {
		for ii := 0; ii < gemmMR; ii++ {
			var v float32
			if ii < mr {
				if transA {
					v = a[(pc+p)*m+i0+ii]
				} else {
					v = a[(i0+ii)*k+pc+p]
				}
			}
			ap[p*gemmMR+ii] = v
		}
	}
}

// madd4 returns c + a*b for one column c of the 4x4 accumulator block:
// a is the A panel's column, b the B panel's entry. It is inlined, so the
// sixteen accumulators stay in registers.
func madd4(c0, c1, c2, c3, a0, a1, a2, a3, b float32) (float32, float32, float32, float32) {
	return c0 + a0*b, c1 + a1*b, c2 + a2*b, c3 + a3*b
}

// kernel4x4 adds alpha * Apanel (4, kc) * Bpanel (kc, 4) into
// C[i0:i0+mr, j0:j0+nr].
func kernel4x4(kc int, ap, bp []float32, alpha float32, c []float32, ldc, i0, j0, mr, nr int) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	ap = ap[:kc*4]
	bp = bp[:kc*4]
	for p := 0; p < kc; p++ {
		av := ap[p*4 : p*4+4 : p*4+4]
		bv := bp[p*4 : p*4+4 : p*4+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		c00, c10, c20, c30 = madd4(c00, c10, c20, c30, a0, a1, a2, a3, bv[0])
		c01, c11, c21, c31 = madd4(c01, c11, c21, c31, a0, a1, a2, a3, bv[1])
		c02, c12, c22, c32 = madd4(c02, c12, c22, c32, a0, a1, a2, a3, bv[2])
		c03, c13, c23, c33 = madd4(c03, c13, c23, c33, a0, a1, a2, a3, bv[3])
	}
	acc := [4][4]float32{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	for ii := 0; ii < mr; ii++ {
		row := c[(i0+ii)*ldc+j0 : (i0+ii)*ldc+j0+nr]
		for jj := range row {
			row[jj] += alpha * acc[ii][jj]
		}
	}
}
