#version 450
// sub.comp: dst[i] = a[i] - b[i] (dst may alias a or b), for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats, written)
//   1: a (n floats, read)
//   2: b (n floats, read)
// Layout: local_size_x = 256.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x.
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.Sub.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float dst[]; };
layout(std430, binding = 1) readonly buffer B1 { float a[]; };
layout(std430, binding = 2) readonly buffer B2 { float b[]; };

layout(push_constant) uniform Push {
    uint n;
} pc;

void main() {
    uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x;
    if (i >= pc.n) {
        return;
    }
    dst[i] = a[i] - b[i];
}
