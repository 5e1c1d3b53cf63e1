package cpu

// TEMPORARY during the initial build-out: each op family deletes its
// methods from this file as it lands. This file must be gone before release.

import "simclr-vk/engine"

var _ engine.Backend = (*Backend)(nil)

func (be *Backend) Describe() string {
	panic("engine/cpu: Describe not yet implemented")
}

func (be *Backend) Fill(dst *engine.Tensor, v float32) {
	panic("engine/cpu: Fill not yet implemented")
}

func (be *Backend) Copy(dst, src *engine.Tensor) {
	panic("engine/cpu: Copy not yet implemented")
}

func (be *Backend) Add(dst, a, b *engine.Tensor) {
	panic("engine/cpu: Add not yet implemented")
}

func (be *Backend) Sub(dst, a, b *engine.Tensor) {
	panic("engine/cpu: Sub not yet implemented")
}

func (be *Backend) Mul(dst, a, b *engine.Tensor) {
	panic("engine/cpu: Mul not yet implemented")
}

func (be *Backend) Scale(dst, src *engine.Tensor, alpha float32) {
	panic("engine/cpu: Scale not yet implemented")
}

func (be *Backend) Axpy(y *engine.Tensor, alpha float32, x *engine.Tensor) {
	panic("engine/cpu: Axpy not yet implemented")
}

func (be *Backend) ReLUForward(y, x *engine.Tensor) {
	panic("engine/cpu: ReLUForward not yet implemented")
}

func (be *Backend) ReLUBackward(dx, dy, y *engine.Tensor) {
	panic("engine/cpu: ReLUBackward not yet implemented")
}

func (be *Backend) SumRows(dst, src *engine.Tensor, rows, cols int) {
	panic("engine/cpu: SumRows not yet implemented")
}

func (be *Backend) SumCols(dst, src *engine.Tensor, rows, cols int) {
	panic("engine/cpu: SumCols not yet implemented")
}

func (be *Backend) MeanRows(dst, src *engine.Tensor, rows, cols int) {
	panic("engine/cpu: MeanRows not yet implemented")
}

func (be *Backend) MeanCols(dst, src *engine.Tensor, rows, cols int) {
	panic("engine/cpu: MeanCols not yet implemented")
}

func (be *Backend) SumSquares(dst, src *engine.Tensor) {
	panic("engine/cpu: SumSquares not yet implemented")
}

func (be *Backend) Gemm(transA, transB bool, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	panic("engine/cpu: Gemm not yet implemented")
}

func (be *Backend) GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	panic("engine/cpu: GemmBatched not yet implemented")
}

func (be *Backend) Conv2DForward(y, x, w *engine.Tensor, p engine.Conv2DParams) {
	panic("engine/cpu: Conv2DForward not yet implemented")
}

func (be *Backend) Conv2DBackwardData(dx, dy, w *engine.Tensor, p engine.Conv2DParams) {
	panic("engine/cpu: Conv2DBackwardData not yet implemented")
}

func (be *Backend) Conv2DBackwardFilter(dw, dy, x *engine.Tensor, p engine.Conv2DParams) {
	panic("engine/cpu: Conv2DBackwardFilter not yet implemented")
}

func (be *Backend) BiasForward(y, bias *engine.Tensor, n, c, hw int) {
	panic("engine/cpu: BiasForward not yet implemented")
}

func (be *Backend) BiasBackward(db, dy *engine.Tensor, n, c, hw int) {
	panic("engine/cpu: BiasBackward not yet implemented")
}

func (be *Backend) MaxPool2DForward(y, argmax, x *engine.Tensor, p engine.Pool2DParams) {
	panic("engine/cpu: MaxPool2DForward not yet implemented")
}

func (be *Backend) MaxPool2DBackward(dx, dy, argmax *engine.Tensor, p engine.Pool2DParams) {
	panic("engine/cpu: MaxPool2DBackward not yet implemented")
}

func (be *Backend) GlobalAvgPoolForward(y, x *engine.Tensor, n, c, hw int) {
	panic("engine/cpu: GlobalAvgPoolForward not yet implemented")
}

func (be *Backend) GlobalAvgPoolBackward(dx, dy *engine.Tensor, n, c, hw int) {
	panic("engine/cpu: GlobalAvgPoolBackward not yet implemented")
}
