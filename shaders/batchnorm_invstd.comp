#version 450
// batchnorm_invstd.comp: BatchNormInvStd, eval-mode batch norm's scale from
// the running variance on the device (mixed precision's eval forward), one
// invocation per channel ch:
//   invStd[ch] = 1/sqrt(runVar[ch] + eps),
// in float32 (the CPU reference adds and takes the root in float64,
// rounding once: the two agree to a few ulps).
//
// Bindings (storage buffers, set 0):
//   0: runVar (C floats, read)
//   1: invStd (C floats, written)
// Layout: local_size_x = 64, one channel per invocation.
// Dispatch grid: ceil(C/64) workgroups spread over x and y (grid1D).
// Push constants: {uint n, c, hw; float eps, momentum; uint parts, chunk,
// groups} (batchnorm_push.glsl; Go: pushBatchNormSplit in
// engine/vulkan/internal/batchnorm; only c and eps read).
// CPU reference: cpu.BatchNormInvStd.

layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer B0 { float runVar[]; };
layout(std430, binding = 1) writeonly buffer B1 { float invStd[]; };

#include "batchnorm_push.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(ch, 64u, pc.c)
    invStd[ch] = 1.0 / sqrt(runVar[ch] + pc.eps);
}
