#version 450
// copy.comp: dst[i] = src[i], for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats, written)
//   1: src (n floats, read)
// Layout: local_size_x = 256.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x.
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.Copy.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float dst[]; };
layout(std430, binding = 1) readonly buffer B1 { float src[]; };

layout(push_constant) uniform Push {
    uint n;
} pc;

void main() {
    uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x;
    if (i >= pc.n) {
        return;
    }
    dst[i] = src[i];
}
