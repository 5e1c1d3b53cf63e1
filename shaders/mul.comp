#version 450
// mul.comp: dst[i] = a[i] * b[i] (dst may alias a or b), for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats, written)
//   1: a (n floats, read)
//   2: b (n floats, read)
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.Mul.

#include "eltwise_push.glsl"

#define ELTWISE_OP(i) dst[i] = a[i] * b[i]
#define ELTWISE_B0 dst
#define ELTWISE_B1 a
#define ELTWISE_B2 b
#include "eltwise.glsl"
