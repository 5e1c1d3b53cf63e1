#version 450
// axpy.comp: y[i] += alpha * x[i], for i < n.
//
// Bindings (storage buffers, set 0):
//   0: y (n floats, read and written)
//   1: x (n floats, read)
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n, float alpha} (Go: pushNScalar in engine/vulkan/elementwise.go).
// CPU reference: cpu.Axpy.

#include "eltwise_scalar_push.glsl"

#define ELTWISE_OP(i) y[i] += pc.alpha * x[i]
#define ELTWISE_B0 y
#define ELTWISE_B1 x
#include "eltwise.glsl"
