#version 450
// axpy.comp: y[i] += alpha * x[i], for i < n.
//
// Bindings (storage buffers, set 0):
//   0: y (n floats or float16s, read and written)
//   1: x (n floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=3
// variant: x16 -DHALF=2
// f16: y and x float16 (y + alpha*x in float32, rounded once); x16: x
// float16 into a float32 y (eltwise.glsl).
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n, float alpha} (Go: pushNScalar in engine/vulkan/elementwise.go).
// CPU reference: cpu.Axpy (a float16 y: then engine.Float16Round).

#include "eltwise_scalar_push.glsl"

#if defined(HALF) && HALF != 0
#define ELTWISE_OP(i) ST0(i, LD0(i) + pc.alpha * LD1(i))
#else
#define ELTWISE_OP(i) y[i] += pc.alpha * x[i] // the f32 SPIR-V as before
#endif
#define ELTWISE_B0 y
#define ELTWISE_B1 x
#include "eltwise.glsl"
