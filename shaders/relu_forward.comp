#version 450
// relu_forward.comp: y[i] = x[i] if x[i] > 0 else 0, for i < n.
//
// Bindings (storage buffers, set 0):
//   0: y (n floats, written)
//   1: x (n floats, read)
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.ReLUForward.

#include "eltwise_push.glsl"

// NaN gives 0, as the CPU reference.
#define ELTWISE_OP(i) y[i] = x[i] > 0.0 ? x[i] : 0.0
#define ELTWISE_B0 y
#define ELTWISE_B1 x
#include "eltwise.glsl"
