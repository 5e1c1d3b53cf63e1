// eltwise.glsl: the body of the one-element-per-invocation kernels (add,
// sub, mul, copy, scale, axpy, fill, relu_forward, relu_backward), included
// after the source's push-constant block (whose first field is uint n) and
// its defines:
//   ELTWISE_OP(i)  the statement for element i;
//   ELTWISE_B0     the name of binding 0 (n floats, read and written);
//   ELTWISE_B1, ELTWISE_B2  the names of bindings 1 and 2 (n floats, read),
//                  where the kernel has them.
// Layout: local_size_x = 256.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; invocations past n return at once.

layout(local_size_x = 256) in;

#include "grid1d.glsl"

layout(std430, binding = 0) buffer B0 { float ELTWISE_B0[]; };
#ifdef ELTWISE_B1
layout(std430, binding = 1) readonly buffer B1 { float ELTWISE_B1[]; };
#endif
#ifdef ELTWISE_B2
layout(std430, binding = 2) readonly buffer B2 { float ELTWISE_B2[]; };
#endif

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    ELTWISE_OP(i);
}
