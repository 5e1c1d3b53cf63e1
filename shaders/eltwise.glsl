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
//                  half.glsl), the others float.
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

#ifndef HALF
#define HALF 0
#endif
#if HALF != 0
#extension GL_EXT_shader_16bit_storage : require
#include "half.glsl"
#endif

#if (HALF & 1) != 0
layout(std430, binding = 0) buffer B0 { uint16_t ELTWISE_B0[]; };
#define LD0(i) H2F(ELTWISE_B0[i])
#define ST0(i, v) ELTWISE_B0[i] = F2H(v)
#else
layout(std430, binding = 0) buffer B0 { float ELTWISE_B0[]; };
#define LD0(i) ELTWISE_B0[i]
#define ST0(i, v) ELTWISE_B0[i] = (v)
#endif
#ifdef ELTWISE_B1
#if (HALF & 2) != 0
layout(std430, binding = 1) readonly buffer B1 { uint16_t ELTWISE_B1[]; };
#define LD1(i) H2F(ELTWISE_B1[i])
#else
layout(std430, binding = 1) readonly buffer B1 { float ELTWISE_B1[]; };
#define LD1(i) ELTWISE_B1[i]
#endif
#endif
#ifdef ELTWISE_B2
#if (HALF & 4) != 0
layout(std430, binding = 2) readonly buffer B2 { uint16_t ELTWISE_B2[]; };
#define LD2(i) H2F(ELTWISE_B2[i])
#else
layout(std430, binding = 2) readonly buffer B2 { float ELTWISE_B2[]; };
#define LD2(i) ELTWISE_B2[i]
#endif
#endif

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    ELTWISE_OP(i);
}
