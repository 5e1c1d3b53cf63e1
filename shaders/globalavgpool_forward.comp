#version 450
// globalavgpool_forward.comp: y[i, ch] = mean_j x[i, ch, j] over x (n, c, hw).
//
// Bindings (storage buffers, set 0):
//   0: y (n*c floats or float16s, written)
//   1: x (n*c*hw floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=3
// f16: y and x float16 (half_bind.glsl), the float32 mean rounded once.
// Layout: local_size_x = 64; one invocation per (i, ch) plane, summing its hw
// values in order (deterministic).
// Dispatch grid: ceil(n*c / 64) workgroups spread over x and y
// (engine/vulkan grid1D); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; indices past the end do nothing.
// Push constants: {uint planes, hw} (Go: pushAvgPool in engine/vulkan/pool.go).
// CPU reference: cpu.GlobalAvgPoolForward.

layout(local_size_x = 64) in;

#include "half_bind.glsl"

layout(std430, binding = 0) writeonly buffer BY { HT0 Y[]; };
layout(std430, binding = 1) readonly buffer BX { HT1 X[]; };

#include "globalavgpool_push.glsl"

#include "grid1d.glsl"

void main() {
    uint g = GRID1D_GROUP;
    uint pl = g * 64u + gl_LocalInvocationID.x;
    if (pl >= pc.planes) {
        return;
    }
    float s = 0.0;
    uint base = pl * pc.hw;
    for (uint j = 0; j < pc.hw; j++) {
        s += HLD1(X, base + j);
    }
    HST0(Y, pl, s / float(pc.hw));
}
