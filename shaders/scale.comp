#version 450
// scale.comp: dst[i] = alpha * src[i], for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats, written)
//   1: src (n floats, read)
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n, float alpha} (Go: pushNScalar in engine/vulkan/elementwise.go).
// CPU reference: cpu.Scale.

#include "eltwise_scalar_push.glsl"

#define ELTWISE_OP(i) dst[i] = pc.alpha * src[i]
#define ELTWISE_B0 dst
#define ELTWISE_B1 src
#include "eltwise.glsl"
