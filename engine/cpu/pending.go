package cpu

// TEMPORARY during the initial build-out: each op family deletes its
// methods from this file as it lands. This file must be gone before release.

import "simclr-vk/engine"

var _ engine.Backend = (*Backend)(nil)

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

func (be *Backend) BatchNormForwardTrain(y, x, gamma, beta, runMean, runVar, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	panic("engine/cpu: BatchNormForwardTrain not yet implemented")
}

func (be *Backend) BatchNormForwardInfer(y, x, gamma, beta, runMean, runVar *engine.Tensor, p engine.BatchNormParams) {
	panic("engine/cpu: BatchNormForwardInfer not yet implemented")
}

func (be *Backend) BatchNormBackward(dx, dgamma, dbeta, dy, x, y, gamma, saveMean, saveInvStd *engine.Tensor, p engine.BatchNormParams) {
	panic("engine/cpu: BatchNormBackward not yet implemented")
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

func (be *Backend) L2NormalizeForward(y, norm, x *engine.Tensor, rows, dim int) {
	panic("engine/cpu: L2NormalizeForward not yet implemented")
}

func (be *Backend) L2NormalizeBackward(dx, dy, y, norm *engine.Tensor, rows, dim int) {
	panic("engine/cpu: L2NormalizeBackward not yet implemented")
}

func (be *Backend) NTXentForwardBackward(dz, out, z *engine.Tensor, tau float32) {
	panic("engine/cpu: NTXentForwardBackward not yet implemented")
}

func (be *Backend) SoftmaxCrossEntropy(dlogits, loss, logits, labels *engine.Tensor, n, classes int) {
	panic("engine/cpu: SoftmaxCrossEntropy not yet implemented")
}

func (be *Backend) SGDStep(w, g, v *engine.Tensor, p engine.SGDParams) {
	panic("engine/cpu: SGDStep not yet implemented")
}

func (be *Backend) LARSStep(w, g, v *engine.Tensor, p engine.LARSParams) {
	panic("engine/cpu: LARSStep not yet implemented")
}

func (be *Backend) AdamWStep(w, g, m, v *engine.Tensor, p engine.AdamWParams) {
	panic("engine/cpu: AdamWStep not yet implemented")
}
