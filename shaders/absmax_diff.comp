#version 450
// absmax_diff.comp: M[slot] = max(M[slot], bits of max_i |x[i] - y[i]|):
// the largest difference of two tensors as float bits, for the
// autotuners' check that a candidate kernel computes what the table's
// kernel computes (engine/vulkan/agree.go). As in absmax.comp, the bit
// patterns of non-negative floats order like their values, NaN above
// +Inf, so a NaN anywhere in x or y makes the maximum a NaN pattern.
//
// Bindings (storage buffers, set 0):
//   0: M (uint words, read and written; zero before the first dispatch
//      into a slot)
//   1: x (n floats, read)
//   2: y (n floats, read)
// Layout: local_size_x = 256; each invocation takes elements i, i + stride,
// ... (grid-stride over the whole dispatch), the workgroup reduces in
// shared memory and adds one atomicMax.
// Dispatch grid: (groups, 1, 1) with groups = min(ceil(n/256), 1024).
// Push constants: {uint n, slot} (Go: pushAbsMax in engine/vulkan/coopmat.go).
// CPU reference: absMaxDiffBits in engine/vulkan/agree.go.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer BM { uint M[]; };
layout(std430, binding = 1) readonly buffer BX { float X[]; };
layout(std430, binding = 2) readonly buffer BY { float Y[]; };

#define ABSMAX_VALUE(i) (X[i] - Y[i])
#include "absmax_body.glsl"
