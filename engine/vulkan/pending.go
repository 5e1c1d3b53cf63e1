package vulkan

// TEMPORARY during the initial build-out: each op family deletes its
// methods from this file as it lands (engine/vulkan/<family>.go). This file
// must be gone before release.

import "simclr-vk/engine"

func (d *Device) Conv2DForward(y, x, w *engine.Tensor, p engine.Conv2DParams) {
	panic("engine/vulkan: Conv2DForward not yet implemented")
}

func (d *Device) Conv2DBackwardData(dx, dy, w *engine.Tensor, p engine.Conv2DParams) {
	panic("engine/vulkan: Conv2DBackwardData not yet implemented")
}

func (d *Device) Conv2DBackwardFilter(dw, dy, x *engine.Tensor, p engine.Conv2DParams) {
	panic("engine/vulkan: Conv2DBackwardFilter not yet implemented")
}

func (d *Device) BiasForward(y, bias *engine.Tensor, n, c, hw int) {
	panic("engine/vulkan: BiasForward not yet implemented")
}

func (d *Device) BiasBackward(db, dy *engine.Tensor, n, c, hw int) {
	panic("engine/vulkan: BiasBackward not yet implemented")
}

func (d *Device) MaxPool2DForward(y, argmax, x *engine.Tensor, p engine.Pool2DParams) {
	panic("engine/vulkan: MaxPool2DForward not yet implemented")
}

func (d *Device) MaxPool2DBackward(dx, dy, argmax *engine.Tensor, p engine.Pool2DParams) {
	panic("engine/vulkan: MaxPool2DBackward not yet implemented")
}

func (d *Device) GlobalAvgPoolForward(y, x *engine.Tensor, n, c, hw int) {
	panic("engine/vulkan: GlobalAvgPoolForward not yet implemented")
}

func (d *Device) GlobalAvgPoolBackward(dx, dy *engine.Tensor, n, c, hw int) {
	panic("engine/vulkan: GlobalAvgPoolBackward not yet implemented")
}

func (d *Device) NTXentForwardBackward(dz, out, z *engine.Tensor, tau float32) {
	panic("engine/vulkan: NTXentForwardBackward not yet implemented")
}
