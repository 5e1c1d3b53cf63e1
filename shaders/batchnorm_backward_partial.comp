#version 450
// batchnorm_backward_partial.comp: first level of the split batch-norm
// backward sums. With xhat = (x - saveMean)*saveInvStd and g = dy masked by
// y > 0 when RELU, per group of N/groups consecutive rows (groups 1: the
// whole batch), workgroup (j, gch) writes for chunk j (pc.chunk consecutive
// values e = row in the group*HW + pixel of channel ch in group g,
// gch = g*C + ch)
//   partial[2*(gch*parts + j)]     = sum g,
//   partial[2*(gch*parts + j) + 1] = sum g*xhat
// (per invocation in order, then a fixed-order shared-memory tree:
// deterministic, no atomics). batchnorm_backward_finalize.comp adds the
// chunks, batchnorm_backward_apply.comp forms dx.
//
// variant: scalar -DVEC=1
// variant: vec4 -DVEC=4
// variant: scalar_f16 -DVEC=1 -DF16=1
// variant: vec4_f16 -DVEC=4 -DF16=1
// VEC = 4 (HW % 4 == 0, chunk % 4 == 0): dy, x and y are read as vec4s.
// F16: dy, x and y are engine.Float16 tensors (batchnorm_half.glsl,
// loaded exactly).
//
// Bindings (storage buffers, set 0):
//   0: partial    (2*groups*C*parts floats, written)
//   1: dy         (N*C*HW floats or float16s, read)
//   2: x          (N*C*HW floats or float16s, read)
//   3: y          (N*C*HW floats or float16s, read when RELU; else any buffer)
//   4: saveMean   (groups*C floats, read)
//   5: saveInvStd (groups*C floats, read)
// Specialization constants: 0 LOCAL (workgroup size, a power of two),
// 1 RELU (0/1).
// Layout: local_size_x = LOCAL; vector e of the chunk visited by invocation
// e % LOCAL.
// Dispatch grid: (parts, groups*C, 1): x the chunk, y the group and channel.
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; chunk in values, a
// multiple of VEC; eps and momentum unused).
// CPU reference: cpu.BatchNormBackward (dbeta and dgamma sums),
// cpu.BatchNormBackwardSums (with batchnorm_backward_finalize).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 256;
layout(constant_id = 1) const uint RELU = 0;

#include "batchnorm_vec.glsl"
#include "batchnorm_half.glsl"

layout(std430, binding = 0) writeonly buffer B0 { float partial[]; };
layout(std430, binding = 1) readonly buffer B1 { XT dy[]; };
layout(std430, binding = 2) readonly buffer B2 { XT x[]; };
layout(std430, binding = 3) readonly buffer B3 { XT y[]; };
layout(std430, binding = 4) readonly buffer B4 { float saveMean[]; };
layout(std430, binding = 5) readonly buffer B5 { float saveInvStd[]; };

#include "batchnorm_push.glsl"

#include "batchnorm_reduce.glsl"

void main() {
    #include "batchnorm_chunk.glsl"
    float mean = saveMean[gch];
    float invStd = saveInvStd[gch];
    VT sg = VT(0.0);
    VT sgx = VT(0.0);
    for (uint e = e0 + t; e < e1; e += LOCAL) {
        uint i = e / hwv;
        uint idx = ((row0 + i) * pc.c + ch) * hwv + (e - i * hwv);
        VT g = LDH(dy, idx);
        if (RELU != 0u) {
            g = mix(VT(0.0), g, POS(LDH(y, idx)));
        }
        sg += g;
        sgx += g * ((LDH(x, idx) - mean) * invStd);
    }
    float rg = reduce(hsum(sg));
    float rgx = reduce(hsum(sgx));
    if (t == 0u) {
        partial[2u * (gch * pc.parts + j)] = rg;
        partial[2u * (gch * pc.parts + j) + 1u] = rgx;
    }
}
