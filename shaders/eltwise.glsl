// eltwise.glsl: the body of the one-element-per-invocation kernels (add,
// sub, mul, copy, scale, axpy, fill, relu_forward, relu_backward), included
// after the source's push-constant block (whose first field is uint n) and
// its defines:
//   ELTWISE_OP(i)  the statement for element i;
//   ELTWISE_B0     the name of binding 0 (n floats, read and written);
//   ELTWISE_B1, ELTWISE_B2  the names of bindings 1 and 2 (n floats, read),
//                  where the kernel has them;
//   HALF           (optional, from a variant line; 0 when undefined) the
//                  bitmask of the bindings that hold engine.Float16 values
//                  (bit i: binding i is n uint16_t, converted by
//                  half.glsl through half_bind.glsl), the others float.
// ELTWISE_OP reads binding k's element i as LDk(i) and writes binding 0's
// as ST0(i, v): plain indexing for a float binding, a conversion for a
// float16 one (exact on load, rounded to nearest even on store), so the
// arithmetic stays float32 either way.
// Layout: local_size_x = 256.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; invocations past n return at once.

layout(local_size_x = 256) in;

#include "grid1d.glsl"

#include "half_bind.glsl"

layout(std430, binding = 0) buffer B0 { HT0 ELTWISE_B0[]; };
#define LD0(i) HLD0(ELTWISE_B0, i)
#define ST0(i, v) HST0(ELTWISE_B0, i, v)
#ifdef ELTWISE_B1
layout(std430, binding = 1) readonly buffer B1 { HT1 ELTWISE_B1[]; };
#define LD1(i) HLD1(ELTWISE_B1, i)
#endif
#ifdef ELTWISE_B2
layout(std430, binding = 2) readonly buffer B2 { HT2 ELTWISE_B2[]; };
#define LD2(i) HLD2(ELTWISE_B2, i)
#endif

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    ELTWISE_OP(i);
}
