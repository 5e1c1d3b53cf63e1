#version 450
// batchnorm_forward_train_partial.comp: first level of the split training
// statistics of batch norm over x (N, C, HW), per group of N/groups
// consecutive rows (groups 1: the whole batch). The N/groups*HW values of
// channel ch in group g (gch = g*C + ch) are cut into parts chunks of
// pc.chunk consecutive values (flat index e = row in the group*HW + pixel);
// workgroup (j, gch) writes for chunk j
//   partial[2*(gch*parts + j)]     = sum of its values,
//   partial[2*(gch*parts + j) + 1] = sum of (value - chunk mean)^2
// (one pass over the chunk of sums shifted by the chunk's first value, each
// summed per invocation in order then by a fixed-order shared-memory tree:
// deterministic, no atomics).
// batchnorm_forward_train_finalize.comp (or batchnorm_stats_finalize.comp)
// merges the chunks (Chan et al.).
//
// variant: scalar -DVEC=1
// variant: vec4 -DVEC=4
// variant: scalar_f16 -DVEC=1 -DF16=1
// variant: vec4_f16 -DVEC=4 -DF16=1
// VEC = 4 (HW % 4 == 0, chunk % 4 == 0): x is read as vec4s.
// F16: x is an engine.Float16 tensor (batchnorm_half.glsl, loaded
// exactly).
//
// Bindings (storage buffers, set 0):
//   0: partial (2*groups*C*parts floats, written)
//   1: x       (N*C*HW floats or float16s, read)
// Specialization constants: 0 LOCAL (workgroup size, a power of two).
// Layout: local_size_x = LOCAL; vector e of the chunk (VEC values) is
// visited by invocation e % LOCAL.
// Dispatch grid: (parts, groups*C, 1): x the chunk, y the group and channel.
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; chunk in values, a
// multiple of VEC; eps and momentum unused).
// CPU reference: cpu.BatchNormForwardTrain (with the finalize and apply
// kernels), cpu.BatchNormStats (with batchnorm_stats_finalize).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 256;

#include "batchnorm_vec.glsl"
#include "batchnorm_half.glsl"

layout(std430, binding = 0) writeonly buffer B0 { float partial[]; };
layout(std430, binding = 1) readonly buffer B1 { XT x[]; };

#include "batchnorm_push.glsl"

#include "batchnorm_reduce.glsl"

void main() {
    #include "batchnorm_chunk.glsl"
    // One pass of shifted sums: with K the chunk's first value,
    // S1 = sum (v - K), S2 = sum (v - K)^2, the chunk's sum is n*K + S1 and
    // its M2 = S2 - S1^2/n (K near the data keeps the cancellation small).
    uint i0 = e0 / hwv;
#if VEC == 4
    float K = LDH(x, ((row0 + i0) * pc.c + ch) * hwv + (e0 - i0 * hwv)).x;
#else
    float K = LDH(x, ((row0 + i0) * pc.c + ch) * hwv + (e0 - i0 * hwv));
#endif
    VT s1 = VT(0.0);
    VT s2 = VT(0.0);
    for (uint e = e0 + t; e < e1; e += LOCAL) {
        uint i = e / hwv;
        VT dv = LDH(x, ((row0 + i) * pc.c + ch) * hwv + (e - i * hwv)) - K;
        s1 += dv;
        s2 += dv * dv;
    }
    float n = float((e1 - e0) * VEC);
    float S1 = reduce(hsum(s1));
    float S2 = reduce(hsum(s2));
    float sum = n * K + S1;
    float m2 = max(S2 - S1 * (S1 / n), 0.0);
    if (t == 0u) {
        partial[2u * (gch * pc.parts + j)] = sum;
        partial[2u * (gch * pc.parts + j) + 1u] = m2;
    }
}
