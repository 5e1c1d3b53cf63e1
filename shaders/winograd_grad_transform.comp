#version 450
// winograd_grad_transform.comp: the dy side of the filter gradient through
// Winograd F(3x3, m x m), G = A e A^T for the m x m block e of dy of every
// tile and output channel (A = (A^T)^T of F(m x m, 3x3)).
//
// Variants: F(3x3, m x m) with dy blocks m = M, alpha = AL = M + 2 points
// (the A^T of cpu/winograd.go's winoF):
// variant: f2 -DM=2
// variant: f4 -DM=4
// Bindings (storage buffers, set 0):
//   0: g (AL*AL*K*T floats, written): g[xi, k, t], T = N*tp*tq tiles,
//      t = (n*tp + i)*tq + j
//   1: dy (N*K*P*Q floats, read): the block at (M*i, M*j), zero outside
//      P x Q
// Layout: local_size_x = 256; invocation (gl_GlobalInvocationID.x = t,
// gl_WorkGroupID.y = k); consecutive invocations write consecutive tiles.
// Dispatch grid: (ceil(T / 256), K, 1).
// Push constants: {uint n, k, p, q, tp, tq} (Go: pushWinogradOutput in
// engine/vulkan/conv_winograd.go, shared with
// winograd_output_transform.comp).
// CPU reference: cpu.WinogradGradTransform.

layout(std430, binding = 0) writeonly buffer BG { float G[]; };
layout(std430, binding = 1) readonly buffer BDY { float DY[]; };

#include "winograd_output_push.glsl"

#define WINOGRAD_ONLY_AT
#include "winograd.glsl"

void main() {
    WINOGRAD_TILE(k)
    WINOGRAD_TILE_POS
    uint oh = M * ti, ow = M * (r - ti * pc.tq);
    uint base = (img * pc.k + k) * pc.p * pc.q;
    float e[M][M];
    [[unroll]] for (uint i = 0; i < M; i++) {
        [[unroll]] for (uint j = 0; j < M; j++) {
            e[i][j] = oh + i < pc.p && ow + j < pc.q ? DY[base + (oh + i) * pc.q + ow + j] : 0.0;
        }
    }
    float ae[AL][M]; // A e
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint j = 0; j < M; j++) {
            float s = 0.0;
            [[unroll]] for (uint i = 0; i < M; i++) {
                s += AT[i][a] * e[i][j];
            }
            ae[a][j] = s;
        }
    }
    uint kt = pc.k * T;
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            float s = 0.0;
            [[unroll]] for (uint j = 0; j < M; j++) {
                s += ae[a][j] * AT[j][b];
            }
            G[(a * AL + b) * kt + k * T + t] = s;
        }
    }
}
