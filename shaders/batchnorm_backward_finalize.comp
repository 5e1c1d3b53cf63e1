#version 450
// batchnorm_backward_finalize.comp: second level of the split batch-norm
// backward sums: one workgroup per channel adds the parts chunk partials of
// batchnorm_backward_partial.comp in a fixed order (per invocation in
// order, then a shared-memory tree; deterministic):
//   dbeta = sum_j partial sum g,  dgamma = sum_j partial sum g*xhat,
// written to sums (for batchnorm_backward_apply.comp) and to dbeta / dgamma
// when asked.
//
// Bindings (storage buffers, set 0):
//   0: sums    (2*groups*C floats, written): (dbeta, dgamma) of (group,
//              channel) gch = g*C + ch at 2*gch (BatchNormBackwardSums)
//   1: dgamma  (C floats, written when HAS_DGAMMA; else any buffer)
//   2: dbeta   (C floats, written when HAS_DBETA; else any buffer)
//   3: partial (2*groups*C*parts floats, read)
// Specialization constants: 0 LOCAL (workgroup size, a power of two),
// 1 HAS_DGAMMA, 2 HAS_DBETA (0/1).
// Layout: local_size_x = LOCAL; chunk j visited by invocation j % LOCAL.
// Dispatch grid: groups*C workgroups spread over x and y (grid1D, one
// (group, channel) each).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; c, parts and groups
// used).
// CPU reference: cpu.BatchNormBackward (dgamma, dbeta),
// cpu.BatchNormBackwardSums.

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 64;
layout(constant_id = 1) const uint HAS_DGAMMA = 1;
layout(constant_id = 2) const uint HAS_DBETA = 1;

layout(std430, binding = 0) writeonly buffer B0 { float sums[]; };
layout(std430, binding = 1) buffer B1 { float dgamma[]; };
layout(std430, binding = 2) buffer B2 { float dbeta[]; };
layout(std430, binding = 3) readonly buffer B3 { float partial[]; };

#include "batchnorm_push.glsl"

#include "treereduce.glsl"

shared float redG[LOCAL];
shared float redGX[LOCAL];

#include "grid1d.glsl"

void main() {
    GRID1D_GROUP_BOUND(ch, pc.groups * pc.c) // ch: group * C + channel
    uint t = gl_LocalInvocationID.x;
    uint base = 2u * ch * pc.parts;
    float sg = 0.0;
    float sgx = 0.0;
    for (uint j = t; j < pc.parts; j += LOCAL) {
        sg += partial[base + 2u * j];
        sgx += partial[base + 2u * j + 1u];
    }
    TREE_SUM2(redG, sg, redGX, sgx, t, LOCAL / 2u);
    if (t == 0u) {
        sums[2u * ch] = redG[0];
        sums[2u * ch + 1u] = redGX[0];
        if (HAS_DBETA != 0u) {
            dbeta[ch] = redG[0];
        }
        if (HAS_DGAMMA != 0u) {
            dgamma[ch] = redGX[0];
        }
    }
}
