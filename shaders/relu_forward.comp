#version 450
// relu_forward.comp: y[i] = x[i] if x[i] > 0 else 0, for i < n.
//
// Bindings (storage buffers, set 0):
//   0: y (n floats or float16s, written)
//   1: x (n floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=3
// f16: y and x float16 (eltwise.glsl; exact).
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.ReLUForward.

#include "eltwise_push.glsl"

// NaN gives 0, as the CPU reference.
#define ELTWISE_OP(i) ST0(i, LD1(i) > 0.0 ? LD1(i) : 0.0)
#define ELTWISE_B0 y
#define ELTWISE_B1 x
#include "eltwise.glsl"
