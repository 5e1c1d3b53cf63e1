#version 450
// batchnorm_backward_finish.comp: BatchNormBackwardFinish, one group's
// BatchNormBackwardSums finished on the device (batch norm in parts
// without a merge, as mixed precision runs it), one invocation per
// channel ch, m = N*HW values:
//   means[2*ch]     = sums[2*ch]/m,      means[2*ch + 1] = sums[2*ch + 1]/m,
//   with BETA:  dbeta[ch]  = sums[2*ch]      (sum g),
//   with GAMMA: dgamma[ch] = sums[2*ch + 1]  (sum g*xhat),
// in float32 (the CPU reference divides in float64, rounding once).
//
// Bindings (storage buffers, set 0):
//   0: sums   (2*C floats, read): [sum g, sum g*xhat] per channel
//   1: means  (2*C floats, written)
//   2: dgamma (C floats, written; unused without GAMMA)
//   3: dbeta  (C floats, written; unused without BETA)
// Specialization constants: 0 GAMMA, 1 BETA (1: write that gradient).
// Layout: local_size_x = 64, one channel per invocation.
// Dispatch grid: ceil(C/64) workgroups spread over x and y (grid1D).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups} (batchnorm_push.glsl; Go: pushBatchNormSplit in
// engine/vulkan/internal/batchnorm; only n, c and hw read).
// CPU reference: cpu.BatchNormBackwardFinish.

layout(local_size_x = 64) in;
layout(constant_id = 0) const uint GAMMA = 1;
layout(constant_id = 1) const uint BETA = 1;

layout(std430, binding = 0) readonly buffer B0 { float sums[]; };
layout(std430, binding = 1) writeonly buffer B1 { float means[]; };
layout(std430, binding = 2) writeonly buffer B2 { float dgamma[]; };
layout(std430, binding = 3) writeonly buffer B3 { float dbeta[]; };

#include "batchnorm_push.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(ch, 64u, pc.c)
    float m = float(pc.n) * float(pc.hw);
    float sg = sums[2u * ch];
    float sgx = sums[2u * ch + 1u];
    means[2u * ch] = sg / m;
    means[2u * ch + 1u] = sgx / m;
    if (GAMMA != 0u) {
        dgamma[ch] = sgx;
    }
    if (BETA != 0u) {
        dbeta[ch] = sg;
    }
}
