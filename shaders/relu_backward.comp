#version 450
// relu_backward.comp: dx[i] = dy[i] if y[i] > 0 else 0, for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dx (n floats or float16s, written)
//   1: dy (n floats or float16s, read)
//   2: y (n floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=7
// f16: every binding float16 (eltwise.glsl; exact).
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.ReLUBackward.

#include "eltwise_push.glsl"

#define ELTWISE_OP(i) ST0(i, LD2(i) > 0.0 ? LD1(i) : 0.0)
#define ELTWISE_B0 dx
#define ELTWISE_B1 dy
#define ELTWISE_B2 y
#include "eltwise.glsl"
