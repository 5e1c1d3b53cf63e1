#version 450
#extension GL_EXT_control_flow_attributes : require
// conv2d_backward_data_tiled.comp: dx = d(sum y*dy)/dx of conv2d_forward,
// overwriting dx, like conv2d_backward_data.comp (implicit GEMM gather:
// rows input channels c, columns the flat input pixels (n, h, w), reduction
// over (k, r, s)), staged through shared-memory tiles with register
// blocking, laid out like gemm_tiled.comp: the shape for real GPUs (on CPU
// devices use conv2d_backward_data). Taps that miss dy (stride > 1) are
// staged as zeros, so engine/vulkan uses this kernel for stride 1 only; it
// is correct for any stride.
//
// Bindings (storage buffers, set 0):
//   0: dx (N*C*H*W floats, written)
//   1: dy (N*K*P*Q floats, read)
//   2: w  (K*C*R*S floats, read)
// Variants (compile-time block tile BM x BN (input channels x pixels),
// depth BK, TM x TN outputs per invocation, WG = (BM/TM)*(BN/TN)
// invocations, a multiple of BN; loops fully unrolled):
// variant: 128x128 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8
// variant: 128x64 -DBM=128 -DBN=64 -DBK=8 -DTM=8 -DTN=4
// variant: 64x128 -DBM=64 -DBN=128 -DBK=8 -DTM=4 -DTN=8
// variant: 64x64 -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4
// Shared memory: (BM+BN)*BK floats (8 KiB for every variant).
// Specialization constants: 0 DIRECT (1: 1x1 kernel, stride 1, no
// padding).
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels 4*(ty + (BM/TM)*i4) + [0, 4) and
// pixels 4*(tx + (BN/TN)*j4) + [0, 4) of the block tile, reading shared
// memory as vec4s. While staging, invocation t always loads pixel column
// t % BN of the B tile, decoding (n, h, w) once; the reduction index
// k*R*S + r*S + s is decoded per element.
// Dispatch grid: (ceil(N*H*W / BN), ceil(C / BM), 1).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go; chunk unused
// here).
// CPU reference: cpu.Conv2DBackwardData.

#define TX (BN / TN)
#define TY (BM / TM)
#define WG (TX * TY)

layout(local_size_x = WG) in;
layout(constant_id = 0) const uint DIRECT = 0;

layout(std430, binding = 0) writeonly buffer BDX { float DX[]; };
layout(std430, binding = 1) readonly buffer BDY { float DY[]; };
layout(std430, binding = 2) readonly buffer BW { float Wt[]; };

layout(push_constant) uniform Push {
    uint n, c, h, w, k, r, s, p, q, stride_h, stride_w, pad_h, pad_w, chunk;
} pc;

shared vec4 As[BK][BM / 4]; // As[kk][r/4][r%4] = W^T[rowBase + r, k0 + kk]
shared vec4 Bs[BK][BN / 4]; // Bs[kk][c/4][c%4] = gathered dy[k0 + kk, colBase + c]

void main() {
    uint PQ = pc.p * pc.q;
    uint HW = pc.h * pc.w;
    uint RS = pc.r * pc.s;
    uint CRS = pc.c * RS;
    uint KRS = pc.k * RS;
    uint cols = pc.n * HW;
    uint rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    uint t = gl_LocalInvocationID.x;
    uint tx = t % TX;
    uint ty = t / TX;

    // The input pixel column this invocation stages.
    uint sc = t % BN;
    uint scol = colBase + sc;
    bool scolOK = scol < cols;
    uint simg = 0u, shw = 0u;
    int sth = 0, stw = 0;  // h + pad_h, w + pad_w
    if (scolOK) {
        simg = scol / HW;
        shw = scol - simg * HW;
        uint ih = shw / pc.w;
        sth = int(ih + pc.pad_h);
        stw = int(shw - ih * pc.w + pc.pad_w);
    }
    uint sdybase = simg * pc.k * PQ;

    vec4 acc[TM][TN / 4];
    [[unroll]] for (uint i = 0; i < TM; i++) {
        [[unroll]] for (uint j = 0; j < TN / 4; j++) {
            acc[i][j] = vec4(0.0);
        }
    }
    for (uint k0 = 0; k0 < KRS; k0 += BK) {
        // A tile: W^T, rows c = rowBase.., reduction (k, r, s) = k0..
        [[unroll]] for (uint it = 0; it < BM * BK / WG; it++) {
            uint e = t + it * WG;
            uint rr = e / BK, kk = e % BK;
            uint gr = rowBase + rr, gk = k0 + kk;
            float v = 0.0;
            if (gr < pc.c && gk < KRS) {
                uint ko = gk / RS;
                v = Wt[ko * CRS + gr * RS + (gk - ko * RS)];
            }
            As[kk][rr / 4u][rr % 4u] = v;
        }
        // B tile: dy gathered at the tap (r, s) of each reduction index.
        [[unroll]] for (uint it = 0; it < BN * BK / WG; it++) {
            uint kk = t / BN + (WG / BN) * it;
            uint gk = k0 + kk;
            float v = 0.0;
            if (scolOK && gk < KRS) {
                uint ko = gk / RS;
                if (DIRECT != 0) {
                    v = DY[sdybase + ko * PQ + shw];
                } else {
                    uint rs = gk - ko * RS;
                    uint rr = rs / pc.s;
                    int ty2 = sth - int(rr);
                    int tx2 = stw - int(rs - rr * pc.s);
                    int op = ty2 / int(pc.stride_h);
                    int oq = tx2 / int(pc.stride_w);
                    if (ty2 >= 0 && tx2 >= 0 && op * int(pc.stride_h) == ty2 && oq * int(pc.stride_w) == tx2 &&
                        op < int(pc.p) && oq < int(pc.q)) {
                        v = DY[sdybase + ko * PQ + uint(op) * pc.q + uint(oq)];
                    }
                }
            }
            Bs[kk][sc / 4u][sc % 4u] = v;
        }
        barrier();
        [[unroll]] for (uint kk = 0; kk < BK; kk++) {
            vec4 a[TM / 4];
            vec4 b[TN / 4];
            [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
                a[i4] = As[kk][ty + TY * i4];
            }
            [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
                b[j4] = Bs[kk][tx + TX * j4];
            }
            [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
                [[unroll]] for (uint ii = 0; ii < 4; ii++) {
                    [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
                        acc[4 * i4 + ii][j4] = fma(vec4(a[i4][ii]), b[j4], acc[4 * i4 + ii][j4]);
                    }
                }
            }
        }
        barrier();
    }
    [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
        [[unroll]] for (uint jj = 0; jj < 4; jj++) {
            uint col = colBase + 4u * (tx + TX * j4) + jj;
            if (col >= cols) {
                continue;
            }
            uint img = col / HW;
            uint dxbase = img * pc.c * HW + (col - img * HW);
            [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
                [[unroll]] for (uint ii = 0; ii < 4; ii++) {
                    uint ci = rowBase + 4u * (ty + TY * i4) + ii;
                    if (ci < pc.c) {
                        DX[dxbase + ci * HW] = acc[4 * i4 + ii][j4][jj];
                    }
                }
            }
        }
    }
}
