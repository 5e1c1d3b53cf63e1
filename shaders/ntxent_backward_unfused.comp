#version 450
// ntxent_backward_unfused.comp: the unfused baseline's gradient weights
// (benchmark only, Device.NTXentUnfused), in place over the stored S, one
// element per invocation:
//   W_ik = scale * ([k != i] (exp(S_ik - lse_i) + exp(S_ik - lse_k)) - 2 [k == pos(i)]),
// so that dz = W z (a Gemm) = scale * (sum_k (p_ik + p_ki) z_k - 2 z_pos(i)).
//
// Bindings (storage buffers, set 0):
//   0: S   (rows*rows floats, read and overwritten with W)
//   1: lse (rows floats, read: from ntxent_loss)
// Layout: local_size_x = 256; element e = i*rows + k = flat workgroup index *
// 256 + local index.
// Dispatch grid: ceil(rows*rows/256) workgroups spread over x and y (grid1D).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; rows, nHalf and scale used).
// CPU reference: cpu.NTXentForwardBackward (dz).

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float S[]; };
layout(std430, binding = 1) readonly buffer B1 { float lse[]; };

#include "ntxent_push.glsl"

#include "grid1d.glsl"

void main() {
    uint e = GRID1D_INDEX(256u);
    uint rows = pc.rows;
    if (e >= rows * rows) {
        return;
    }
    uint i = e / rows;
    uint k = e - i * rows;
    uint pos = i < pc.nHalf ? i + pc.nHalf : i - pc.nHalf;
    float s = S[e];
    float w = k != i ? exp(s - lse[i]) + exp(s - lse[k]) : 0.0;
    if (k == pos) {
        w -= 2.0;
    }
    S[e] = pc.scale * w;
}
