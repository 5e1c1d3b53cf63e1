#version 450
// batchnorm_backward_apply.comp: the elementwise part of the split batch-norm
// backward, one vector of VEC values per invocation:
//   dx = gamma*saveInvStd/m * (m*g - dbeta - xhat*dgamma),  m = N*HW,
// xhat = (x - saveMean)*saveInvStd, g = dy masked by y > 0 when RELU, and
// (dbeta, dgamma) the channel sums of batchnorm_backward_finalize.comp;
// with MEANS (BatchNormBackwardApply, groups of N/groups rows) sums holds
// (mean g, mean g*xhat) of the (merged, global) batch instead and
//   dx = gamma*saveInvStd * (g - mean g - xhat*mean g*xhat).
//
// variant: scalar -DVEC=1
// variant: vec4 -DVEC=4
// variant: scalar_f16 -DVEC=1 -DF16=1
// variant: vec4_f16 -DVEC=4 -DF16=1
// VEC = 4 when HW % 4 == 0 (a vector never straddles two channels).
// F16: dx, dy, x and y are engine.Float16 tensors
// (batchnorm_half.glsl: loaded exactly, dx rounded to nearest even from the
// float32 result).
//
// Bindings (storage buffers, set 0):
//   0: dx         (N*C*HW floats or float16s, written)
//   1: dy         (N*C*HW floats or float16s, read)
//   2: x          (N*C*HW floats or float16s, read)
//   3: y          (N*C*HW floats or float16s, read when RELU; else any buffer)
//   4: gamma      (C floats, read when HAS_GAMMA; else any buffer)
//   5: saveMean   (groups*C floats, read)
//   6: saveInvStd (groups*C floats, read)
//   7: sums       (2*groups*C floats, read): (dbeta, dgamma), or the means
//                 when MEANS, of group g, channel ch at 2*(g*C + ch)
// Specialization constants: 0 RELU, 1 HAS_GAMMA, 2 MEANS (0/1).
// Layout: local_size_x = 256; vector i = flat workgroup index * 256 + local
// index, channel ch = (i / (HW/VEC)) % C, row r = i / (C*HW/VEC), statistics
// index gch = (r / (N/groups))*C + ch.
// Dispatch grid: ceil(N*C*HW/VEC/256) workgroups spread over x and y
// (grid1D).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups}
// (Go: pushBatchNormSplit in engine/vulkan/batchnorm.go; only n, c, hw,
// groups used).
// CPU reference: cpu.BatchNormBackward (dx), cpu.BatchNormBackwardApply
// (MEANS).

#include "batchnorm_apply.glsl"
#include "batchnorm_half.glsl"

layout(constant_id = 2) const uint MEANS = 0;

layout(std430, binding = 0) writeonly buffer B0 { XT dx[]; };
layout(std430, binding = 1) readonly buffer B1 { XT dy[]; };
layout(std430, binding = 2) readonly buffer B2 { XT x[]; };
layout(std430, binding = 3) readonly buffer B3 { XT y[]; };
layout(std430, binding = 4) readonly buffer B4 { float gamma[]; };
layout(std430, binding = 5) readonly buffer B5 { float saveMean[]; };
layout(std430, binding = 6) readonly buffer B6 { float saveInvStd[]; };
layout(std430, binding = 7) readonly buffer B7 { float sums[]; };

#include "batchnorm_push.glsl"

#include "grid1d.glsl"

void main() {
    BATCHNORM_APPLY_INDEX
    float mean = saveMean[gch];
    float invStd = saveInvStd[gch];
    float sg = sums[2u * gch];
    float sgx = sums[2u * gch + 1u];
    float gm = HAS_GAMMA != 0u ? gamma[ch] : 1.0;
    VT g = LDH(dy, i);
    if (RELU != 0u) {
        g = mix(VT(0.0), g, POS(LDH(y, i)));
    }
    VT xhat = (LDH(x, i) - mean) * invStd;
    if (MEANS != 0u) {
        STH(dx, i, gm * invStd * (g - sg - xhat * sgx));
    } else {
        float fm = float(pc.n * pc.hw);
        float k = gm * invStd / fm;
        STH(dx, i, k * (fm * g - sg - xhat * sgx));
    }
}
