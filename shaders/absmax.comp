#version 450
// absmax.comp: M[slot] = max(M[slot], bits of max_i |x[i]|): the largest
// magnitude of a tensor as float bits, for the cooperative-matrix kernels'
// per-tensor power-of-two scaling (coopmat_tile.glsl). For non-negative
// floats the bit patterns order like the values (NaN above +Inf), so the
// maximum is an unsigned atomicMax.
//
// Bindings (storage buffers, set 0):
//   0: M (uint words, read and written; zero before the first dispatch
//      into a slot)
//   1: x (n floats, read)
// Layout: local_size_x = 256; each invocation takes elements i, i + stride,
// ... (grid-stride over the whole dispatch), the workgroup reduces in
// shared memory and adds one atomicMax.
// Dispatch grid: (groups, 1, 1) with groups = min(ceil(n/256), 1024).
// Push constants: {uint n, slot} (Go: pushAbsMax in engine/vulkan/coopmat.go).
// CPU reference: absMaxBits in engine/vulkan/coopmat.go.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer BM { uint M[]; };
layout(std430, binding = 1) readonly buffer BX { float X[]; };

#define ABSMAX_VALUE(i) (X[i])
#include "absmax_body.glsl"
