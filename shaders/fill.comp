#version 450
// fill.comp: dst[i] = v, for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats, written)
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n, float v} (Go: pushNScalar in engine/vulkan/elementwise.go).
// CPU reference: cpu.Fill.

layout(push_constant) uniform Push {
    uint n;
    float v;
} pc;

#define ELTWISE_OP(i) dst[i] = pc.v
#define ELTWISE_B0 dst
#include "eltwise.glsl"
