#version 450
// globalavgpool_forward.comp: y[i, ch] = mean_j x[i, ch, j] over x (n, c, hw).
//
// Bindings (storage buffers, set 0):
//   0: y (n*c floats, written)
//   1: x (n*c*hw floats, read)
// Layout: local_size_x = 64; one invocation per (i, ch) plane, summing its hw
// values in order (deterministic).
// Dispatch grid: ceil(n*c / 64) workgroups spread over x and y
// (engine/vulkan grid1D); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; indices past the end do nothing.
// Push constants: {uint planes, hw} (Go: pushAvgPool in engine/vulkan/pool.go).
// CPU reference: cpu.GlobalAvgPoolForward.

layout(local_size_x = 64) in;

layout(std430, binding = 0) writeonly buffer BY { float Y[]; };
layout(std430, binding = 1) readonly buffer BX { float X[]; };

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
        s += X[base + j];
    }
    Y[pl] = s / float(pc.hw);
}
