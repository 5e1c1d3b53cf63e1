#version 450
// add_relu.comp: y[i] = a[i] + b[i] if that sum > 0 else 0 (y may alias a
// or b), for i < n: the end of a residual block in one pass.
//
// Bindings (storage buffers, set 0):
//   0: y (n floats or float16s, written)
//   1: a (n floats or float16s, read)
//   2: b (n floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=7
// f16: every binding float16 (eltwise.glsl), the float32 sum's ReLU
// rounded once, which equals max(round(a + b), 0) (rounding is monotone
// and keeps 0).
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n} (Go: pushN in engine/vulkan/internal/eltwise).
// CPU reference: cpu.AddReLU (f16: then engine.Float16Round).

#include "eltwise_push.glsl"

// NaN gives 0, as the CPU reference.
#define ELTWISE_OP(i) float s = LD1(i) + LD2(i); ST0(i, s > 0.0 ? s : 0.0)
#define ELTWISE_B0 y
#define ELTWISE_B1 a
#define ELTWISE_B2 b
#include "eltwise.glsl"
