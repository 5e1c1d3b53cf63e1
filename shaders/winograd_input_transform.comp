#version 450
// winograd_input_transform.comp: the input side of the Winograd
// F(m x m, 3x3) convolution, V = B^T d B for the AL x AL patch d of every
// m x m output tile and channel.
//
// Variants: F(m x m, 3x3) with output tiles m = M, alpha = AL = M + 2
// points (the matrices of cpu/winograd.go's winoF):
// variant: f2 -DM=2
// variant: f4 -DM=4
// Bindings (storage buffers, set 0):
//   0: v (AL*AL*C*T floats, written): v[xi, c, t], T = N*tp*tq tiles,
//      t = (n*tp + i)*tq + j
//   1: x (N*C*H*W floats, read)
// Layout: local_size_x = 256; invocation (gl_GlobalInvocationID.x = t,
// gl_WorkGroupID.y = c) reads x[n, c] at rows M*i - pad_h .. +AL-1 and
// columns M*j - pad_w .. +AL-1 (zero outside); consecutive invocations
// write consecutive tiles.
// Dispatch grid: (ceil(T / 256), C, 1).
// Push constants: {uint n, c, h, w, pad_h, pad_w, tp, tq} (Go:
// pushWinogradInput in engine/vulkan/conv_winograd.go).
// CPU reference: cpu.WinogradInputTransform.

layout(std430, binding = 0) writeonly buffer BV { float V[]; };
layout(std430, binding = 1) readonly buffer BX { float X[]; };

layout(push_constant) uniform Push {
    uint n, c, h, w, pad_h, pad_w, tp, tq;
} pc;

#include "winograd.glsl"

void main() {
    WINOGRAD_TILE(c)
    WINOGRAD_TILE_POS
    int h0 = int(M * ti) - int(pc.pad_h);
    int w0 = int(M * (r - ti * pc.tq)) - int(pc.pad_w);
    uint base = (img * pc.c + c) * pc.h * pc.w;
    float d[AL][AL];
    [[unroll]] for (int a = 0; a < AL; a++) {
        int ih = h0 + a;
        bool rowOK = ih >= 0 && ih < int(pc.h);
        [[unroll]] for (int b = 0; b < AL; b++) {
            int iw = w0 + b;
            d[a][b] = (rowOK && iw >= 0 && iw < int(pc.w)) ? X[base + uint(ih) * pc.w + uint(iw)] : 0.0;
        }
    }
    float bd[AL][AL]; // B^T d
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            float s = 0.0;
            [[unroll]] for (uint l = 0; l < AL; l++) {
                s += BT[a][l] * d[l][b];
            }
            bd[a][b] = s;
        }
    }
    uint ct = pc.c * T;
    [[unroll]] for (uint a = 0; a < AL; a++) {
        [[unroll]] for (uint b = 0; b < AL; b++) {
            float s = 0.0;
            [[unroll]] for (uint l = 0; l < AL; l++) {
                s += bd[a][l] * BT[b][l];
            }
            V[(a * AL + b) * ct + c * T + t] = s;
        }
    }
}
