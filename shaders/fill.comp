#version 450
// fill.comp: dst[i] = v, for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats, written)
// Layout: local_size_x = 256.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x.
// Push constants: {uint n, float v} (Go: pushNScalar in engine/vulkan/elementwise.go).
// CPU reference: cpu.Fill.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float dst[]; };

layout(push_constant) uniform Push {
    uint n;
    float v;
} pc;

void main() {
    uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x;
    if (i >= pc.n) {
        return;
    }
    dst[i] = pc.v;
}
