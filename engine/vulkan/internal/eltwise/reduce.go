package eltwise

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Reductions: fixed-order tree sums in shared memory, no float atomics, so
// results are deterministic. CPU references: cpu.SumRows, cpu.SumCols,
// cpu.MeanRows, cpu.MeanCols, cpu.SumSquares.

// pushReduce mirrors `{ uint rows; uint cols; float div; }` of
// sum_rows.comp and sum_cols.comp.
type pushReduce struct {
	Rows, Cols uint32
	Div        float32
}

// pushSumSquares mirrors `{ uint n; uint chunk; }` of sum_squares.comp.
type pushSumSquares struct {
	N, Chunk uint32
}

const (
	sumSquaresLocal       = 256
	sumSquaresTargetChunk = 4096 // target elements per workgroup (fixedChunks)
	sumSquaresMaxParts    = 1024 // workgroups at most
)

// reduce checks op's operands and sets dst to the sums of src (rows, cols)
// along each row (perRow: rows sums, sum_rows.comp) or down each column
// (cols sums, sum_cols.comp), each divided by div.
func (d *Ops) reduce(op string, dst, src *engine.Tensor, rows, cols int, perRow bool, div float32) {
	engine.CheckBackend(op, d.Owner, dst, src)
	engine.CheckSizes(op, "rows cols", rows, cols)
	engine.CheckNumel(op, "src", src, rows*cols)
	if perRow {
		engine.CheckNumel(op, "dst", dst, rows)
	} else {
		engine.CheckNumel(op, "dst", dst, cols)
	}
	d.sum(dst, src, rows, cols, perRow, div)
}

// sum dispatches sum_rows (perRow) or sum_cols, unchecked.
func (d *Ops) sum(dst, src *engine.Tensor, rows, cols int, perRow bool, div float32) {
	shader, groups := "sum_cols", d.RT.Grid1D(cols, 16)
	if perRow {
		shader, groups = "sum_rows", d.RT.Grid1D(rows, 1)
	}
	d.RT.Dispatch(vkrt.Kernel{Shader: shader, Push: &pushReduce{uint32(rows), uint32(cols), div},
		Groups: groups, Args: []vkrt.Arg{vkrt.Out(dst), vkrt.In(src)}})
}

// SumRows sets dst[r] = sum_c src[r,c].
func (d *Ops) SumRows(dst, src *engine.Tensor, rows, cols int) {
	d.reduce("SumRows", dst, src, rows, cols, true, 1)
}

// MeanRows sets dst[r] = sum_c src[r,c] / cols.
func (d *Ops) MeanRows(dst, src *engine.Tensor, rows, cols int) {
	d.reduce("MeanRows", dst, src, rows, cols, true, float32(cols))
}

// SumCols sets dst[c] = sum_r src[r,c].
func (d *Ops) SumCols(dst, src *engine.Tensor, rows, cols int) {
	d.reduce("SumCols", dst, src, rows, cols, false, 1)
}

// MeanCols sets dst[c] = sum_r src[r,c] / rows.
func (d *Ops) MeanCols(dst, src *engine.Tensor, rows, cols int) {
	d.reduce("MeanCols", dst, src, rows, cols, false, float32(rows))
}

// SumSquares sets dst[0] = sum_i src[i]^2: per-workgroup partial sums over
// fixed chunks (their number depends on n only), then sum_rows over them.
func (d *Ops) SumSquares(dst, src *engine.Tensor) {
	engine.CheckBackend("SumSquares", d.Owner, dst, src)
	engine.CheckNumel("SumSquares", "dst", dst, 1)
	if src == nil {
		panic("engine: SumSquares: src is nil")
	}
	n := src.Numel()
	engine.CheckNumel("SumSquares", "src", src, n)
	parts, chunk := fixedChunks(n, sumSquaresTargetChunk, sumSquaresMaxParts)
	push := &pushSumSquares{uint32(n), uint32(chunk)}
	if parts == 1 {
		d.RT.Dispatch(vkrt.Kernel{Shader: "sum_squares", Push: push, Groups: d.RT.Grid1D(1, 1), Args: []vkrt.Arg{vkrt.Out(dst), vkrt.In(src)}})
		return
	}
	partial := d.RT.New(parts)
	d.RT.Dispatch(vkrt.Kernel{Shader: "sum_squares", Push: push, Groups: d.RT.Grid1D(parts, 1), Args: []vkrt.Arg{vkrt.Out(partial), vkrt.In(src)}})
	d.sum(dst, partial, 1, parts, true, 1)
	partial.Release()
}

// fixedChunks cuts n elements into parts chunks of chunk elements (the last
// one shorter) for a per-workgroup partial reduction: ceil(n/target) parts
// of equal size (so more than target/2 each), at most maxParts of them, no
// empty one. It depends on n only, so the summation order, hence the
// result, is the same on every run.
func fixedChunks(n, target, maxParts int) (parts, chunk int) {
	parts = min(max(vkrt.CeilDiv(n, target), 1), maxParts)
	chunk = vkrt.CeilDiv(n, parts)
	return vkrt.CeilDiv(n, chunk), chunk
}
