#version 450
// batchnorm_stats_finalize.comp: second level of BatchNormStats: one
// workgroup per (group, channel) gch = g*C + ch merges the parts chunk
// partials of batchnorm_forward_train_partial.comp in a fixed order (per
// invocation in order, then a shared-memory tree; deterministic):
//   mean = (sum_j sum_j) / m,
//   M2   = sum_j M2_j + n_j*(sum_j/n_j - mean)^2   (Chan et al.),
//   n_j  = values in chunk j = min(chunk, m - j*chunk),  m = N/groups*HW,
//   stats[2*gch] = mean, stats[2*gch + 1] = M2.
// The caller merges these across devices (global batch norm) and applies
// them with batchnorm_forward_train_apply.comp.
//
// Bindings (storage buffers, set 0):
//   0: partial (2*groups*C*parts floats, read): (sum, M2) of chunk j of
//              gch at 2*(gch*parts + j)
//   1: stats   (2*groups*C floats, written)
// Specialization constants: 0 LOCAL (workgroup size, a power of two).
// Layout: local_size_x = LOCAL; chunk j visited by invocation j % LOCAL.
// Dispatch grid: groups*C workgroups spread over x and y (grid1D, one
// (group, channel) each).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; eps and momentum
// unused).
// CPU reference: cpu.BatchNormStats.

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 64;

layout(std430, binding = 0) readonly buffer B0 { float partial[]; };
layout(std430, binding = 1) writeonly buffer B1 { float stats[]; };

#include "batchnorm_push.glsl"

#include "batchnorm_reduce.glsl"

#include "grid1d.glsl"

void main() {
    #include "batchnorm_merge.glsl"
    if (t == 0u) {
        stats[2u * gch] = mean;
        stats[2u * gch + 1u] = ss;
    }
}
