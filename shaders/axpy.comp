#version 450
// axpy.comp: y[i] += alpha * x[i], for i < n.
//
// Bindings (storage buffers, set 0):
//   0: y (n floats, read and written)
//   1: x (n floats, read)
// Layout: local_size_x = 256.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x.
// Push constants: {uint n, float alpha} (Go: pushNScalar in engine/vulkan/elementwise.go).
// CPU reference: cpu.Axpy.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float y[]; };
layout(std430, binding = 1) readonly buffer B1 { float x[]; };

layout(push_constant) uniform Push {
    uint n;
    float alpha;
} pc;

void main() {
    uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x;
    if (i >= pc.n) {
        return;
    }
    y[i] += pc.alpha * x[i];
}
