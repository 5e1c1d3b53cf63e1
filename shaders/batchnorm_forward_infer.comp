#version 450
// batchnorm_forward_infer.comp: inference-mode batch norm of x (N, C, HW)
// with the running statistics, one element per invocation:
//   y = [relu](gamma*(x - runMean)/sqrt(runVar + eps) + beta).
//
// Bindings (storage buffers, set 0):
//   0: y       (N*C*HW floats, written)
//   1: x       (N*C*HW floats, read)
//   2: gamma   (C floats, read; any buffer when HAS_GAMMA = 0)
//   3: beta    (C floats, read; any buffer when HAS_BETA = 0)
//   4: runMean (C floats, read)
//   5: runVar  (C floats, read)
// Specialization constants: 0 RELU, 1 HAS_GAMMA, 2 HAS_BETA (0/1).
// Layout: local_size_x = 256; element i = flat workgroup index * 256 + local
// index, channel (i / HW) % C.
// Dispatch grid: ceil(N*C*HW/256) workgroups spread over x and y (grid1D).
// Push constants: {uint n, c, hw; float eps, momentum} (Go: pushBatchNorm in
// engine/vulkan/batchnorm.go; momentum unused).
// CPU reference: cpu.BatchNormForwardInfer.

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint RELU = 0;
layout(constant_id = 1) const uint HAS_GAMMA = 1;
layout(constant_id = 2) const uint HAS_BETA = 1;

layout(std430, binding = 0) writeonly buffer B0 { float y[]; };
layout(std430, binding = 1) readonly buffer B1 { float x[]; };
layout(std430, binding = 2) readonly buffer B2 { float gamma[]; };
layout(std430, binding = 3) readonly buffer B3 { float beta[]; };
layout(std430, binding = 4) readonly buffer B4 { float runMean[]; };
layout(std430, binding = 5) readonly buffer B5 { float runVar[]; };

#include "batchnorm_fused_push.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, pc.n * pc.c * pc.hw)
    uint ch = (i / pc.hw) % pc.c;
    float invStd = 1.0 / sqrt(runVar[ch] + pc.eps);
    float scale = invStd;
    float shift = -runMean[ch] * invStd;
    if (HAS_GAMMA != 0u) {
        scale = gamma[ch] * invStd;
        shift = gamma[ch] * shift;
    }
    if (HAS_BETA != 0u) {
        shift += beta[ch];
    }
    float o = scale * x[i] + shift;
    if (RELU != 0u) {
        o = max(o, 0.0);
    }
    y[i] = o;
}
