#version 450
// batchnorm_finish.comp: BatchNormFinish, one group's BatchNormStats
// finished on the device (batch norm in parts without a merge, as mixed
// precision runs it), one invocation per channel ch, m = N*HW values:
//   mean[ch]   = stats[2*ch],
//   invStd[ch] = 1/sqrt(stats[2*ch + 1]/m + eps),
//   with RUNNING: runMean[ch] = (1-momentum)*runMean[ch] + momentum*mean[ch],
//                 runVar[ch]  = (1-momentum)*runVar[ch]
//                               + momentum*stats[2*ch + 1]/(m-1)  (unbiased),
// in float32 (the CPU reference divides and takes the root in float64,
// rounding once: the two agree to a few ulps).
//
// Bindings (storage buffers, set 0):
//   0: stats   (2*C floats, read): [mean, M2] per channel
//   1: mean    (C floats, written)
//   2: invStd  (C floats, written)
//   3: runMean (C floats, read and written; unused without RUNNING)
//   4: runVar  (C floats, read and written; unused without RUNNING)
// Specialization constants: 0 RUNNING (1: update the running statistics).
// Layout: local_size_x = 64, one channel per invocation.
// Dispatch grid: ceil(C/64) workgroups spread over x and y (grid1D).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups} (batchnorm_push.glsl; Go: pushBatchNormSplit in
// engine/vulkan/internal/batchnorm; parts, chunk and groups unused).
// CPU reference: cpu.BatchNormFinish.

layout(local_size_x = 64) in;
layout(constant_id = 0) const uint RUNNING = 1;

layout(std430, binding = 0) readonly buffer B0 { float stats[]; };
layout(std430, binding = 1) writeonly buffer B1 { float mean[]; };
layout(std430, binding = 2) writeonly buffer B2 { float invStd[]; };
layout(std430, binding = 3) buffer B3 { float runMean[]; };
layout(std430, binding = 4) buffer B4 { float runVar[]; };

#include "batchnorm_push.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(ch, 64u, pc.c)
    float m = float(pc.n) * float(pc.hw);
    float mu = stats[2u * ch];
    float m2 = stats[2u * ch + 1u];
    mean[ch] = mu;
    invStd[ch] = 1.0 / sqrt(m2 / m + pc.eps);
    if (RUNNING != 0u) {
        runMean[ch] = (1.0 - pc.momentum) * runMean[ch] + pc.momentum * mu;
        runVar[ch] = (1.0 - pc.momentum) * runVar[ch] + pc.momentum * (m2 / (m - 1.0));
    }
}
