// conv2d_forward_main.glsl: the kernel of conv2d_forward.comp (float32
// x and y) and conv2d_forward_f16.comp (x and y engine.Float16 tensors:
// conv2d_half.glsl): y = conv(x, w), NCHW, zero padding, no bias, as an
// implicit GEMM: Y[n] (K, P*Q) = W (K, C*R*S) * im2col(x[n]) (C*R*S, P*Q),
// the im2col gather done here on the fly (no im2col buffer). GEMM rows are
// output channels k, GEMM columns the flattened output pixels (n, p, q) of
// the whole batch. Register-blocked, no shared memory and no barrier() (the
// shape that suits lavapipe, like gemm_regblock).
//
// Bindings (storage buffers, set 0):
//   0: y (N*K*P*Q floats or float16s, written)
//   1: x (N*C*H*W floats or float16s, read)
//   2: w (K*C*R*S floats, read)
// Specialization constants: 0 WG_X, 1 WG_Y (local size), 2 TM (output
// channels per invocation), 3 TN (output pixels per invocation), 4 DIRECT
// (1: 1x1 kernel, stride 1, no padding, so x[n] (C, H*W) is the GEMM operand
// itself and the gather is a plain load).
// Layout: local_size = (WG_X, WG_Y); invocation (x, y) of workgroup (X, Y)
// computes channels Y*WG_Y*TM + y + i*WG_Y (i < TM) for the flat pixels
// X*WG_X*TN + x + j*WG_X (j < TN), interleaved so that neighbouring
// invocations load and store neighbouring pixels (out-of-range ones clamped
// for reads, not written). The reduction runs over r, s (outer: the bounds test and
// address of each pixel computed once) then c (inner).
// Dispatch grid: (ceil(N*P*Q / (WG_X*TN)), ceil(K / (WG_Y*TM)), 1).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go; chunk unused
// here).
// CPU reference: cpu.Conv2DForward.

#include "conv2d_half.glsl"
#include "conv2d_direct.glsl"

layout(std430, binding = 0) writeonly buffer BY { ACT Y[]; };
layout(std430, binding = 1) readonly buffer BX { ACT X[]; };
layout(std430, binding = 2) readonly buffer BW { float Wt[]; };

#include "conv2d_push.glsl"

void main() {
    uint PQ = pc.p * pc.q;
    uint HW = pc.h * pc.w;
    uint CRS = pc.c * pc.r * pc.s;
    uint cols = pc.n * PQ;
    CONV_ORIGIN
    if (row0 >= pc.k || col0 >= cols) {
        return;
    }
    uint wrow[TM];
    for (uint i = 0; i < TM; i++) {
        wrow[i] = min(row0 + i * WG_Y, pc.k - 1u) * CRS;
    }
    uint xbase[TN];  // x offset of image n
    uint ybase[TN];  // y offset of (n, 0, p, q)
    int ih0[TN];
    int iw0[TN];
    for (uint j = 0; j < TN; j++) {
        uint col = min(col0 + j * WG_X, cols - 1u);
        uint img = col / PQ;
        uint pq = col - img * PQ;
        uint op = pq / pc.q;
        uint oq = pq - op * pc.q;
        xbase[j] = img * pc.c * HW;
        ybase[j] = img * pc.k * PQ + pq;
        ih0[j] = int(op * pc.stride_h) - int(pc.pad_h);
        iw0[j] = int(oq * pc.stride_w) - int(pc.pad_w);
    }
    CONV_ACC_ZERO
    if (DIRECT != 0) {
        // P*Q == H*W: the pixel index is the offset in each input plane.
        uint off[TN];
        for (uint j = 0; j < TN; j++) {
            off[j] = xbase[j] + (ybase[j] - (ybase[j] / PQ) * PQ);
        }
        for (uint ci = 0; ci < pc.c; ci++) {
            for (uint i = 0; i < TM; i++) {
                a[i] = Wt[wrow[i] + ci];
            }
            for (uint j = 0; j < TN; j++) {
                b[j] = LDX(X[off[j] + ci * HW]);
            }
            CONV_ACC_FMA
        }
    } else {
        uint RS = pc.r * pc.s;
        for (uint rr = 0; rr < pc.r; rr++) {
            for (uint ss = 0; ss < pc.s; ss++) {
                uint off[TN];
                bool ok[TN];
                for (uint j = 0; j < TN; j++) {
                    int ih = ih0[j] + int(rr);
                    int iw = iw0[j] + int(ss);
                    ok[j] = ih >= 0 && ih < int(pc.h) && iw >= 0 && iw < int(pc.w);
                    off[j] = ok[j] ? xbase[j] + uint(ih) * pc.w + uint(iw) : 0u;
                }
                uint wtap = rr * pc.s + ss;
                for (uint ci = 0; ci < pc.c; ci++) {
                    for (uint i = 0; i < TM; i++) {
                        a[i] = Wt[wrow[i] + ci * RS + wtap];
                    }
                    for (uint j = 0; j < TN; j++) {
                        b[j] = ok[j] ? LDX(X[off[j] + ci * HW]) : 0.0;
                    }
                    CONV_ACC_FMA
                }
            }
        }
    }
    CONV_STORE(kk, pc.k, cols, Y[ybase[j] + kk * PQ] = STX(acc[i][j]);)
}
