#version 450
// ntxent_forward_unfused.comp: the unfused baseline's row pass (benchmark
// only, Device.NTXentUnfused): one row of the stored similarity matrix
// S = z z^T / tau (rows x rows, computed by Gemm) per invocation: maximum m
// over k != i, sum exp(S_ik - m), positive logit and largest negative, in the
// layout of ntxent_forward with parts = 1 (ntxent_loss then gives lse, loss
// and top1).
//
// Bindings (storage buffers, set 0):
//   0: part (rows*4 floats, written)
//   1: S    (rows*rows floats, read)
// Layout: local_size_x = 64; row i = flat workgroup index * 64 + local index.
// Dispatch grid: ceil(rows/64) workgroups spread over x and y (grid1D).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; rows and nHalf used).
// CPU reference: cpu.NTXentForwardBackward.

layout(local_size_x = 64) in;

layout(std430, binding = 0) writeonly buffer B0 { float part[]; };
layout(std430, binding = 1) readonly buffer B1 { float S[]; };

#include "ntxent_push.glsl"

const float NONE = -3.402823466e38;

#include "grid1d.glsl"

void main() {
    uint i = GRID1D_INDEX(64u);
    uint rows = pc.rows;
    if (i >= rows) {
        return;
    }
    uint pos = i < pc.nHalf ? i + pc.nHalf : i - pc.nHalf;
    uint base = i * rows;
    float m = NONE;
    float neg = NONE;
    for (uint k = 0u; k < rows; k++) {
        if (k != i) {
            float s = S[base + k];
            m = max(m, s);
            if (k != pos) {
                neg = max(neg, s);
            }
        }
    }
    float sum = 0.0;
    for (uint k = 0u; k < rows; k++) {
        if (k != i) {
            sum += exp(S[base + k] - m);
        }
    }
    part[i * 4u] = m;
    part[i * 4u + 1u] = sum;
    part[i * 4u + 2u] = S[base + pos];
    part[i * 4u + 3u] = neg;
}
