#version 450
// winograd_filter_transform.comp: the filter side of the Winograd
// F(m x m, 3x3) convolution, U = G g G^T per (output, input) channel pair.
//
// Variants: F(m x m, 3x3) with output tiles m = M, alpha = AL = M + 2
// points (the matrices of cpu/winograd.go's winoF):
// variant: f2 -DM=2
// variant: f4 -DM=4
// Bindings (storage buffers, set 0):
//   0: u (AL*AL*K*C floats, written): u[xi, k, c], or u[xi, c, k] when flip
//   1: w (K*C*9 floats, read): the (K, C, 3, 3) filter
// Layout: local_size_x = 256; invocation i < K*C handles k = i / C,
// c = i % C.
// Dispatch grid: (ceil(K*C / 256), 1, 1).
// Push constants: {uint k, c, flip} (Go: pushWinogradFilter in
// engine/vulkan/conv_winograd.go). flip = 1 (backward-data pass): the
// filter rotated by 180 degrees and stored transposed, (AL*AL, C, K).
// CPU reference: cpu.WinogradFilterTransform.

layout(std430, binding = 0) writeonly buffer BU { float U[]; };
layout(std430, binding = 1) readonly buffer BW { float Wt[]; };

#include "winograd_filter_push.glsl"

#include "winograd.glsl"

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= pc.k * pc.c) {
        return;
    }
    uint ko = i / pc.c, ci = i % pc.c;
    float g[3][3];
    [[unroll]] for (uint r = 0; r < 3; r++) {
        [[unroll]] for (uint s = 0; s < 3; s++) {
            float v = Wt[i * 9u + r * 3u + s];
            if (pc.flip != 0u) {
                g[2u - r][2u - s] = v;
            } else {
                g[r][s] = v;
            }
        }
    }
    float gg[AL][3]; // G g
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint s = 0; s < 3; s++) {
            gg[a][s] = G[a][0] * g[0][s] + G[a][1] * g[1][s] + G[a][2] * g[2][s];
        }
    }
    uint kc = pc.k * pc.c;
    uint off = pc.flip != 0u ? ci * pc.k + ko : i;
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            U[(a * AL + b) * kc + off] = gg[a][0] * G[b][0] + gg[a][1] * G[b][1] + gg[a][2] * G[b][2];
        }
    }
}
