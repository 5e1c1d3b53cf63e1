#version 450
// globalavgpool_backward.comp: dx[i, ch, j] = dy[i, ch] / hw, overwriting dx
// (n, c, hw).
//
// Bindings (storage buffers, set 0):
//   0: dx (n*c*hw floats or float16s, written)
//   1: dy (n*c floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=3
// f16: dx and dy float16 (half_bind.glsl), dy / hw rounded once.
// Layout: local_size_x = 256, one invocation per element of dx.
// Dispatch grid: ceil(n*c*hw / 256) workgroups spread over x and y
// (engine/vulkan grid1D); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; indices past the end do nothing.
// Push constants: {uint planes, hw} (Go: pushAvgPool in engine/vulkan/pool.go).
// CPU reference: cpu.GlobalAvgPoolBackward.

layout(local_size_x = 256) in;

#include "half_bind.glsl"

layout(std430, binding = 0) writeonly buffer BDX { HT0 DX[]; };
layout(std430, binding = 1) readonly buffer BDY { HT1 DY[]; };

#include "globalavgpool_push.glsl"

#include "grid1d.glsl"

void main() {
    uint g = GRID1D_GROUP;
    uint i = g * 256u + gl_LocalInvocationID.x;
    if (i >= pc.planes * pc.hw) {
        return;
    }
    HST0(DX, i, HLD1(DY, i / pc.hw) / float(pc.hw));
}
