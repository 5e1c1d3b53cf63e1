package cpu

import "simclr-vk/engine"

// The float16 emulation of the convolutions (engine.Float16Operands:
// x, y, dy and dx may be float16, w and dw stay float32). A float16
// tensor here is a []float32 of float16 values, so the float32 passes of
// conv_fast.go read it exactly and compute in float32 as they always do;
// the pass then rounds its float16 output (y, dx) once, to nearest, ties
// to even (RoundFloat16 = engine.Float16Round), as the Vulkan _f16
// kernels store their float32 sums. Conv2DBackwardFilter's dw is float32:
// nothing to round. This is the only float16 step of the convolutions on
// the CPU, kept apart from the float32 dispatch (one deferred call per
// pass).

// roundConvOutput rounds a convolution's output in place when it is
// stored as float16 (after the float32 pass wrote it).
func (be *Backend) roundConvOutput(out *engine.Tensor) {
	r := rounder(out)
	if r == nil {
		return
	}
	d := data(out)
	be.chunks(len(d), func(lo, hi int) { r(d[lo:hi]) })
}
