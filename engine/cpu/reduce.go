package cpu

import "simclr-vk/engine"

// Reductions over src viewed as (rows, cols). The references accumulate in
// float64 in a fixed order. The Backend methods split rows or columns over
// goroutines but never one sum, so they are bit-identical to the references;
// SumSquares adds fixed-size block partials in index order. Every result is
// therefore independent of the thread count.

// SumRows sets dst[r] = sum_c src[r,c].
func SumRows(dst /* (rows) */, src /* (rows, cols) */ []float32, rows, cols int) {
	rowSums(dst, src, cols, 0, rows, 1)
}

// MeanRows sets dst[r] = sum_c src[r,c] / cols.
func MeanRows(dst /* (rows) */, src /* (rows, cols) */ []float32, rows, cols int) {
	rowSums(dst, src, cols, 0, rows, float64(cols))
}

// SumCols sets dst[c] = sum_r src[r,c].
func SumCols(dst /* (cols) */, src /* (rows, cols) */ []float32, rows, cols int) {
	colSums(dst, src, rows, cols, 0, cols, 1)
}

// MeanCols sets dst[c] = sum_r src[r,c] / rows.
func MeanCols(dst /* (cols) */, src /* (rows, cols) */ []float32, rows, cols int) {
	colSums(dst, src, rows, cols, 0, cols, float64(rows))
}

// SumSquares sets dst[0] = sum_i src[i]^2.
func SumSquares(dst /* (1) */, src /* (n) */ []float32) {
	s := 0.0
	for _, v := range src {
		s += float64(v) * float64(v)
	}
	dst[0] = float32(s)
}

// rowSums sets dst[r] = (sum_c src[r,c]) / div for r in [lo, hi).
func rowSums(dst, src []float32, cols, lo, hi int, div float64) {
	for r := lo; r < hi; r++ {
		s := 0.0
		for _, v := range src[r*cols : (r+1)*cols] {
			s += float64(v)
		}
		dst[r] = float32(s / div)
	}
}

// colSums sets dst[c] = (sum_r src[r,c]) / div for c in [lo, hi), adding
// rows in order.
func colSums(dst, src []float32, rows, cols, lo, hi int, div float64) {
	acc := make([]float64, hi-lo)
	for r := 0; r < rows; r++ {
		row := src[r*cols+lo : r*cols+hi]
		for j, v := range row {
			acc[j] += float64(v)
		}
	}
	for j, s := range acc {
		dst[lo+j] = float32(s / div)
	}
}

func checkReduce(be *Backend, op string, dst, src *engine.Tensor, rows, cols, outN int) {
	engine.CheckBackend(op, be, dst, src)
	engine.CheckSizes(op, "rows cols", rows, cols)
	engine.CheckNumel(op, "src", src, rows*cols)
	engine.CheckNumel(op, "dst", dst, outN)
}

func (be *Backend) reduceRows(op string, dst, src *engine.Tensor, rows, cols int, div float64) {
	checkReduce(be, op, dst, src, rows, cols, rows)
	d, s := data(dst), data(src)
	be.parallelIf(rows*cols, rows, func(lo, hi int) { rowSums(d, s, cols, lo, hi, div) })
}

func (be *Backend) reduceCols(op string, dst, src *engine.Tensor, rows, cols int, div float64) {
	checkReduce(be, op, dst, src, rows, cols, cols)
	d, s := data(dst), data(src)
	if rows*cols < 2*elemGrain || cols < 64 {
		colSums(d, s, rows, cols, 0, cols, div)
		return
	}
	be.parallelFor(cols, func(lo, hi int) { colSums(d, s, rows, cols, lo, hi, div) })
}

func (be *Backend) SumRows(dst, src *engine.Tensor, rows, cols int) {
	be.reduceRows("SumRows", dst, src, rows, cols, 1)
}

func (be *Backend) MeanRows(dst, src *engine.Tensor, rows, cols int) {
	be.reduceRows("MeanRows", dst, src, rows, cols, float64(cols))
}

func (be *Backend) SumCols(dst, src *engine.Tensor, rows, cols int) {
	be.reduceCols("SumCols", dst, src, rows, cols, 1)
}

func (be *Backend) MeanCols(dst, src *engine.Tensor, rows, cols int) {
	be.reduceCols("MeanCols", dst, src, rows, cols, float64(rows))
}

// sumSqBlock is the fixed block size of SumSquares' partial sums.
const sumSqBlock = 1 << 14

func (be *Backend) SumSquares(dst, src *engine.Tensor) {
	engine.CheckBackend("SumSquares", be, dst, src)
	engine.CheckNumel("SumSquares", "dst", dst, 1)
	engine.CheckSame("SumSquares", []string{"src"}, src)
	s := data(src)
	nb := (len(s) + sumSqBlock - 1) / sumSqBlock
	part := make([]float64, nb)
	block := func(lo, hi int) {
		for bi := lo; bi < hi; bi++ {
			acc := 0.0
			for _, v := range s[bi*sumSqBlock : min((bi+1)*sumSqBlock, len(s))] {
				acc += float64(v) * float64(v)
			}
			part[bi] = acc
		}
	}
	if nb < 4 {
		block(0, nb)
	} else {
		be.parallelFor(nb, block)
	}
	total := 0.0
	for _, p := range part {
		total += p
	}
	data(dst)[0] = float32(total)
}
