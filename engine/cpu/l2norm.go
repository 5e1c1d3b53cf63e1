package cpu

import (
	"math"

	"simclr-vk/engine"
)

// L2NormEps is the lower bound of the norm, as torch.nn.functional.normalize.
const L2NormEps = 1e-12

// L2NormalizeForward is the reference row-wise L2 normalisation:
//
//	y    (rows, dim) output: y[r] = x[r] / norm[r]
//	norm (rows) output: max(||x[r]||, 1e-12), the sum of squares in float64
//	x    (rows, dim)
func L2NormalizeForward(y, norm, x []float32, rows, dim int) {
	l2NormalizeForwardRows(0, rows, y, norm, x, dim)
}

func l2NormalizeForwardRows(lo, hi int, y, norm, x []float32, dim int) {
	for r := lo; r < hi; r++ {
		xr, yr := x[r*dim:(r+1)*dim], y[r*dim:(r+1)*dim]
		ss := 0.0
		for _, v := range xr {
			ss += float64(v) * float64(v)
		}
		nr := max(math.Sqrt(ss), L2NormEps)
		norm[r] = float32(nr)
		for j, v := range xr {
			yr[j] = float32(float64(v) / nr)
		}
	}
}

// L2NormalizeBackward is the reference backward of L2NormalizeForward:
//
//	dx   (rows, dim) output: dx[r] = (dy[r] - y[r] * <y[r], dy[r]>) / norm[r]
//	dy   (rows, dim)
//	y    (rows, dim) forward output
//	norm (rows) forward norms
//
// When the norm was clamped to 1e-12 the forward is y = x / 1e-12, whose
// gradient is dy / 1e-12 without the projection (as in PyTorch).
func L2NormalizeBackward(dx, dy, y, norm []float32, rows, dim int) {
	l2NormalizeBackwardRows(0, rows, dx, dy, y, norm, dim)
}

func l2NormalizeBackwardRows(lo, hi int, dx, dy, y, norm []float32, dim int) {
	for r := lo; r < hi; r++ {
		dyr, yr, dxr := dy[r*dim:(r+1)*dim], y[r*dim:(r+1)*dim], dx[r*dim:(r+1)*dim]
		nr := float64(norm[r])
		dot := 0.0
		if norm[r] != float32(L2NormEps) {
			for j := range yr {
				dot += float64(yr[j]) * float64(dyr[j])
			}
		}
		for j := range yr {
			dxr[j] = float32((float64(dyr[j]) - float64(yr[j])*dot) / nr)
		}
	}
}

// L2NormalizeForward implements engine.Backend, parallel over rows.
func (be *Backend) L2NormalizeForward(y, norm, x *engine.Tensor, rows, dim int) {
	const op = "L2NormalizeForward"
	engine.CheckBackend(op, be, y, norm, x)
	engine.CheckSizes(op, "rows dim", rows, dim)
	engine.CheckNumel(op, "x", x, rows*dim)
	engine.CheckNumel(op, "y", y, rows*dim)
	engine.CheckNumel(op, "norm", norm, rows)
	yd, nd, xd := data(y), data(norm), data(x)
	be.parallelFor(rows, func(lo, hi int) { l2NormalizeForwardRows(lo, hi, yd, nd, xd, dim) })
}

// L2NormalizeBackward implements engine.Backend, parallel over rows.
func (be *Backend) L2NormalizeBackward(dx, dy, y, norm *engine.Tensor, rows, dim int) {
	const op = "L2NormalizeBackward"
	engine.CheckBackend(op, be, dx, dy, y, norm)
	engine.CheckSizes(op, "rows dim", rows, dim)
	engine.CheckNumel(op, "dx", dx, rows*dim)
	engine.CheckNumel(op, "dy", dy, rows*dim)
	engine.CheckNumel(op, "y", y, rows*dim)
	engine.CheckNumel(op, "norm", norm, rows)
	dxd, dyd, yd, nd := data(dx), data(dy), data(y), data(norm)
	be.parallelFor(rows, func(lo, hi int) { l2NormalizeBackwardRows(lo, hi, dxd, dyd, yd, nd, dim) })
}
