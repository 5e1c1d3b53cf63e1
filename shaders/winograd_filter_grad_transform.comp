#version 450
// winograd_filter_grad_transform.comp: the last step of the filter
// gradient through Winograd F(3x3, m x m), dw[k, c] = G^T m G from the
// alpha^2 sums m[xi] = M[xi, k, c] (G of F(m x m, 3x3)).
//
// Variants: F(3x3, m x m), m = M, alpha = AL = M + 2 points (the G of
// cpu/winograd.go's winoF):
// variant: f2 -DM=2
// variant: f4 -DM=4
// Bindings (storage buffers, set 0):
//   0: dw (K*C*9 floats, written): the (K, C, 3, 3) filter gradient
//   1: m (AL*AL*K*C floats, read)
// Layout: local_size_x = 256; invocation i < K*C handles (k, c) =
// (i / C, i % C); consecutive invocations read consecutive m entries.
// Dispatch grid: (ceil(K*C / 256), 1, 1).
// Push constants: {uint k, c, flip} (Go: pushWinogradFilter in
// engine/vulkan/conv_winograd.go, shared with
// winograd_filter_transform.comp; flip unused here).
// CPU reference: cpu.WinogradFilterGradTransform.

layout(std430, binding = 0) writeonly buffer BDW { float DW[]; };
layout(std430, binding = 1) readonly buffer BM { float Mt[]; };

#include "winograd_filter_push.glsl"

#define WINOGRAD_ONLY_G
#include "winograd.glsl"

void main() {
    uint kc = pc.k * pc.c;
    uint i = gl_GlobalInvocationID.x;
    if (i >= kc) {
        return;
    }
    float gm[3][AL]; // G^T m
    [[unroll]] for (uint r = 0; r < 3; r++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            gm[r][b] = 0.0;
        }
    }
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            float v = Mt[(a * AL + b) * kc + i];
            [[unroll]] for (uint r = 0; r < 3; r++) {
                gm[r][b] += G[a][r] * v;
            }
        }
    }
    [[unroll]] for (uint r = 0; r < 3; r++) {
        [[unroll]] for (uint s = 0; s < 3; s++) {
            float v = 0.0;
            [[unroll]] for (uint b = 0; b < AL; b++) {
                v += gm[r][b] * G[b][s];
            }
            DW[i * 9u + r * 3u + s] = v;
        }
    }
}
