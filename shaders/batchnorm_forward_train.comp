#version 450
// batchnorm_forward_train.comp: training-mode batch norm of x (N, C, HW) for
// one channel per workgroup: batch mean, biased variance (two passes over the
// channel, each summed per invocation in order then by a fixed-order
// shared-memory tree: deterministic, no atomics), then
//   y = [relu](gamma*(x - mean)*invStd + beta),  invStd = 1/sqrt(var + eps),
//   saveMean = mean, saveInvStd = invStd,
//   runMean = (1-momentum)*runMean + momentum*mean,
//   runVar  = (1-momentum)*runVar  + momentum*var*m/(m-1)   (unbiased), m = N*HW.
//
// Bindings (storage buffers, set 0):
//   0: y          (N*C*HW floats, written)
//   1: x          (N*C*HW floats, read)
//   2: gamma      (C floats, read; any buffer when HAS_GAMMA = 0)
//   3: beta       (C floats, read; any buffer when HAS_BETA = 0)
//   4: runMean    (C floats, read and written)
//   5: runVar     (C floats, read and written)
//   6: saveMean   (C floats, written)
//   7: saveInvStd (C floats, written)
// Specialization constants: 0 LOCAL (workgroup size, a power of two),
// 1 RELU, 2 HAS_GAMMA, 3 HAS_BETA (0/1).
// Layout: local_size_x = LOCAL; element e of the channel (e < N*HW, image
// e / HW, pixel e % HW) is visited by invocation e % LOCAL.
// Dispatch grid: C workgroups spread over x and y (engine/vulkan grid1D with
// one channel per workgroup); flat index = channel.
// Push constants: {uint n, c, hw; float eps, momentum} (Go: pushBatchNorm in
// engine/vulkan/batchnorm.go).
// CPU reference: cpu.BatchNormForwardTrain.

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 64;
layout(constant_id = 1) const uint RELU = 0;
layout(constant_id = 2) const uint HAS_GAMMA = 1;
layout(constant_id = 3) const uint HAS_BETA = 1;

layout(std430, binding = 0) writeonly buffer B0 { float y[]; };
layout(std430, binding = 1) readonly buffer B1 { float x[]; };
layout(std430, binding = 2) readonly buffer B2 { float gamma[]; };
layout(std430, binding = 3) readonly buffer B3 { float beta[]; };
layout(std430, binding = 4) buffer B4 { float runMean[]; };
layout(std430, binding = 5) buffer B5 { float runVar[]; };
layout(std430, binding = 6) writeonly buffer B6 { float saveMean[]; };
layout(std430, binding = 7) writeonly buffer B7 { float saveInvStd[]; };

#include "batchnorm_fused_push.glsl"

#include "batchnorm_reduce.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_GROUP_BOUND(ch, pc.c)
    uint t = gl_LocalInvocationID.x;
    uint m = pc.n * pc.hw;
    float s = 0.0;
    for (uint e = t; e < m; e += LOCAL) {
        uint i = e / pc.hw;
        s += x[(i * pc.c + ch) * pc.hw + (e - i * pc.hw)];
    }
    float mean = reduce(s) / float(m);
    float ss = 0.0;
    for (uint e = t; e < m; e += LOCAL) {
        uint i = e / pc.hw;
        float dv = x[(i * pc.c + ch) * pc.hw + (e - i * pc.hw)] - mean;
        ss += dv * dv;
    }
    ss = reduce(ss);
    float invStd = 1.0 / sqrt(ss / float(m) + pc.eps);
    if (t == 0u) {
        saveMean[ch] = mean;
        saveInvStd[ch] = invStd;
        runMean[ch] = (1.0 - pc.momentum) * runMean[ch] + pc.momentum * mean;
        runVar[ch] = (1.0 - pc.momentum) * runVar[ch] + pc.momentum * (ss / float(m - 1u));
    }
    float scale = invStd;
    float shift = -mean * invStd;
    if (HAS_GAMMA != 0u) {
        scale = gamma[ch] * invStd;
        shift = gamma[ch] * shift;
    }
    if (HAS_BETA != 0u) {
        shift += beta[ch];
    }
    for (uint e = t; e < m; e += LOCAL) {
        uint i = e / pc.hw;
        uint idx = (i * pc.c + ch) * pc.hw + (e - i * pc.hw);
        float o = scale * x[idx] + shift;
        if (RELU != 0u) {
            o = max(o, 0.0);
        }
        y[idx] = o;
    }
}
