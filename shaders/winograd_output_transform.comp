#version 450
// winograd_output_transform.comp: the output side of the Winograd
// F(m x m, 3x3) convolution, the m x m block Y = A^T M A of every tile
// from the AL*AL products M[xi] = Mt[xi, k, t].
//
// Variants: F(m x m, 3x3) with output tiles m = M, alpha = AL = M + 2
// points (the matrices of cpu/winograd.go's winoF):
// variant: f2 -DM=2
// variant: f4 -DM=4
// Bindings (storage buffers, set 0):
//   0: y (N*K*P*Q floats, written): the part of each block inside P x Q
//   1: m (AL*AL*K*T floats, read): m[xi, k, t], T = N*tp*tq tiles,
//      t = (n*tp + i)*tq + j
// Layout: local_size_x = 256; invocation (gl_GlobalInvocationID.x = t,
// gl_WorkGroupID.y = k); consecutive invocations read consecutive tiles.
// Dispatch grid: (ceil(T / 256), K, 1).
// Push constants: {uint n, k, p, q, tp, tq} (Go: pushWinogradOutput in
// engine/vulkan/conv_winograd.go).
// CPU reference: cpu.WinogradOutputTransform.

layout(std430, binding = 0) writeonly buffer BY { float Y[]; };
layout(std430, binding = 1) readonly buffer BM { float Mt[]; };

#include "winograd_output_push.glsl"

#include "winograd.glsl"

void main() {
    WINOGRAD_TILE(k)
    uint kt = pc.k * T;
    float mm[AL][AL];
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            mm[a][b] = Mt[(a * AL + b) * kt + k * T + t];
        }
    }
    float am[M][AL]; // A^T m
    [[unroll]] for (uint i = 0; i < M; i++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            float s = 0.0;
            [[unroll]] for (uint l = 0; l < AL; l++) {
                s += AT[i][l] * mm[l][b];
            }
            am[i][b] = s;
        }
    }
    WINOGRAD_TILE_POS
    uint oh = M * ti, ow = M * (r - ti * pc.tq);
    uint base = (img * pc.k + k) * pc.p * pc.q;
    [[unroll]] for (uint i = 0; i < M; i++) {
        if (oh + i >= pc.p) {
            break;
        }
        [[unroll]] for (uint j = 0; j < M; j++) {
            if (ow + j >= pc.q) {
                break;
            }
            float s = 0.0;
            [[unroll]] for (uint l = 0; l < AL; l++) {
                s += am[i][l] * AT[j][l];
            }
            Y[base + (oh + i) * pc.q + ow + j] = s;
        }
    }
}
