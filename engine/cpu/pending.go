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
