#version 450
// relu_backward.comp: dx[i] = dy[i] if y[i] > 0 else 0, for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dx (n floats, written)
//   1: dy (n floats, read)
//   2: y (n floats, read)
// Layout: local_size_x = 256.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x.
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.ReLUBackward.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float dx[]; };
layout(std430, binding = 1) readonly buffer B1 { float dy[]; };
layout(std430, binding = 2) readonly buffer B2 { float y[]; };

layout(push_constant) uniform Push {
    uint n;
} pc;

void main() {
    uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x;
    if (i >= pc.n) {
        return;
    }
    dx[i] = y[i] > 0.0 ? dy[i] : 0.0;
}
