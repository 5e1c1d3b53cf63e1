#version 450
// round_float16.comp: rounds n floats in place to the nearest IEEE binary16
// value, ties to even, kept as float32: x[i] = float32bits(half16(x[i])),
// half.glsl's integer conversions (to_float16.comp then from_float16.comp
// in one pass, without the packed temporary): subnormals down to 2^-24,
// 65520 and up to Inf, NaN to the quiet NaN with its sign.
//
// Bindings (storage buffers, set 0):
//   0: x (n floats as uints, read and written)
// Layout: local_size_x = 256, one invocation per float.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is
// gl_WorkGroupID.y*gl_NumWorkGroups.x + gl_WorkGroupID.x.
// Push constants: {uint n} (Go: Push in engine/vulkan/internal/float16).
// CPU reference: cpu.RoundFloat16 (engine.Float16Round).

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { uint x[]; };

layout(push_constant) uniform Push {
    uint n;
} pc;

#include "half.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    x[i] = float32bits(half16(x[i]));
}
