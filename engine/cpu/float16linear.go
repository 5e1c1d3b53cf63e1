package cpu

import "simclr-vk/engine"

// The float16 emulation of the linear layers' ops (engine/dtype_linear.go
// lists what each takes): Gemm, GemmBatched, BiasForward, BiasBackward,
// the pools, Axpy and the convolutions (x, y, dy, dx float16; w and dw
// float32, so Conv2DBackwardFilter has nothing to round) read float16
// operands as the float32 values they are, compute exactly as for float32 and round a float16 output once
// afterwards (roundOut16), as the Vulkan _f16 kernels round their float32
// result on store.

// roundOut16 rounds t in place to float16 values when t is stored as
// float16 (the op has written its float32 result), and does nothing for
// a float32 t.
func (be *Backend) roundOut16(t *engine.Tensor) {
	if t.DType() != engine.Float16 {
		return
	}
	d := data(t)
	be.chunks(len(d), func(lo, hi int) { RoundFloat16(d[lo:hi]) })
}
