#version 450
// globalavgpool_backward.comp: dx[i, ch, j] = dy[i, ch] / hw, overwriting dx
// (n, c, hw).
//
// Bindings (storage buffers, set 0):
//   0: dx (n*c*hw floats, written)
//   1: dy (n*c floats, read)
// Layout: local_size_x = 256, one invocation per element of dx.
// Dispatch grid: ceil(n*c*hw / 256) workgroups spread over x and y
// (engine/vulkan grid1D); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; indices past the end do nothing.
// Push constants: {uint planes, hw} (Go: pushAvgPool in engine/vulkan/pool.go).
// CPU reference: cpu.GlobalAvgPoolBackward.

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer BDX { float DX[]; };
layout(std430, binding = 1) readonly buffer BDY { float DY[]; };

#include "globalavgpool_push.glsl"

#include "grid1d.glsl"

void main() {
    uint g = GRID1D_GROUP;
    uint i = g * 256u + gl_LocalInvocationID.x;
    if (i >= pc.planes * pc.hw) {
        return;
    }
    DX[i] = DY[i / pc.hw] / float(pc.hw);
}
