#version 450
// batchnorm_forward_train_apply.comp: the elementwise part of the split
// training forward, one vector of VEC values per invocation:
//   y = [relu](gamma*(x - saveMean)*saveInvStd + beta)
// with the statistics of batchnorm_forward_train_finalize.comp.
//
// variant: scalar -DVEC=1
// variant: vec4 -DVEC=4
// variant: scalar_f16 -DVEC=1 -DF16=1
// variant: vec4_f16 -DVEC=4 -DF16=1
// VEC = 4 when HW % 4 == 0 (a vector never straddles two channels).
// F16: y and x are engine.Float16 tensors (batchnorm_half.glsl: x
// loaded exactly, y rounded to nearest even from the float32 result); the
// statistics, gamma and beta stay float.
//
// Bindings (storage buffers, set 0):
//   0: y          (N*C*HW floats or float16s, written)
//   1: x          (N*C*HW floats or float16s, read)
//   2: gamma      (C floats, read; any buffer when HAS_GAMMA = 0)
//   3: beta       (C floats, read; any buffer when HAS_BETA = 0)
//   4: saveMean   (groups*C floats, read)
//   5: saveInvStd (groups*C floats, read)
// Specialization constants: 0 RELU, 1 HAS_GAMMA, 2 HAS_BETA (0/1).
// Layout: local_size_x = 256; vector i = flat workgroup index * 256 + local
// index, channel ch = (i / (HW/VEC)) % C, row r = i / (C*HW/VEC), statistics
// index gch = (r / (N/groups))*C + ch.
// Dispatch grid: ceil(N*C*HW/VEC/256) workgroups spread over x and y
// (grid1D).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; only n, c, hw,
// groups used).
// CPU reference: cpu.BatchNormForwardTrain (output y), cpu.BatchNormApply
// (groups of N/groups rows, statistics from elsewhere).

#include "batchnorm_apply.glsl"

layout(constant_id = 2) const uint HAS_BETA = 1;

#include "batchnorm_half.glsl"

layout(std430, binding = 0) writeonly buffer B0 { XT y[]; };
layout(std430, binding = 1) readonly buffer B1 { XT x[]; };
layout(std430, binding = 2) readonly buffer B2 { float gamma[]; };
layout(std430, binding = 3) readonly buffer B3 { float beta[]; };
layout(std430, binding = 4) readonly buffer B4 { float saveMean[]; };
layout(std430, binding = 5) readonly buffer B5 { float saveInvStd[]; };

#include "batchnorm_push.glsl"

#include "grid1d.glsl"

void main() {
    BATCHNORM_APPLY_INDEX
    float invStd = saveInvStd[gch];
    float scale = invStd;
    float shift = -saveMean[gch] * invStd;
    if (HAS_GAMMA != 0u) {
        scale = gamma[ch] * invStd;
        shift = gamma[ch] * shift;
    }
    if (HAS_BETA != 0u) {
        shift += beta[ch];
    }
    VT o = scale * LDH(x, i) + shift;
    if (RELU != 0u) {
        o = max(o, VT(0.0));
    }
    STH(y, i, o);
}
