// conv2d_backward_filter_main.glsl: the kernel of
// conv2d_backward_filter.comp (float32 dy and x) and
// conv2d_backward_filter_f16.comp (dy and x engine.Float16 tensors:
// conv2d_half.glsl; dw stays float32): dw = d(sum y*dy)/dw of conv2d_forward as an
// implicit GEMM: dW (K, C*R*S) = sum over the flat output pixels t = (n,p,q)
// of dy[n,k,p,q] * im2col(x)[(c,r,s), t], the im2col gather done on the fly.
// The reduction over t is split in chunks of pc.chunk pixels, one per
// gl_WorkGroupID.z, each writing its own partial (K, C*R*S) block; the Go
// side adds the partials with the sum_cols kernel in a fixed order (or binds
// dw itself when there is one chunk), so results are deterministic without
// atomics. Register-blocked, no shared memory and no barrier().
//
// Bindings (storage buffers, set 0):
//   0: partial (chunks*K*C*R*S floats, written): block z at z*K*C*R*S
//   1: dy (N*K*P*Q floats or float16s, read)
//   2: x  (N*C*H*W floats or float16s, read)
// Specialization constants: 0 WG_X, 1 WG_Y (local size), 2 TM (output
// channels k per invocation), 3 TN (filter taps (c,r,s) per invocation),
// 4 DIRECT (1: 1x1 kernel, stride 1, no padding: plain loads of x).
// Layout: local_size = (WG_X, WG_Y); invocation (x, y) of workgroup
// (X, Y, Z) computes k = Y*WG_Y*TM + y + i*WG_Y (i < TM) by taps
// X*WG_X*TN + x + j*WG_X (j < TN), interleaved so that neighbouring
// invocations touch neighbouring taps, over pixels
// [Z*chunk, min((Z+1)*chunk, N*P*Q)).
// Dispatch grid: (ceil(C*R*S / (WG_X*TN)), ceil(K / (WG_Y*TM)), chunks).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go).
// CPU reference: cpu.Conv2DBackwardFilter.

#include "conv2d_half.glsl"
#include "conv2d_direct.glsl"

layout(std430, binding = 0) writeonly buffer BDW { float DW[]; };
layout(std430, binding = 1) readonly buffer BDY { ACT DY[]; };
layout(std430, binding = 2) readonly buffer BX { ACT X[]; };

#include "conv2d_push.glsl"

void main() {
    CONV_SIZES
    uint CHW = pc.c * HW;
    uint total = pc.n * PQ;
    CONV_ORIGIN
    if (row0 >= pc.k || col0 >= CRS) {
        return;
    }
    uint t0 = gl_WorkGroupID.z * pc.chunk;
    uint t1 = min(t0 + pc.chunk, total);
    uint dyrow[TM];  // offset of dy[0, k, 0, 0]
    for (uint i = 0; i < TM; i++) {
        dyrow[i] = min(row0 + i * WG_Y, pc.k - 1u) * PQ;
    }
    uint xc[TN];  // offset of x[0, c, 0, 0]
    int tr[TN];   // r - pad_h
    int ts[TN];   // s - pad_w
    for (uint j = 0; j < TN; j++) {
        uint col = min(col0 + j * WG_X, CRS - 1u);
        uint ci = col / RS;
        uint rs = col - ci * RS;
        uint rr = rs / pc.s;
        xc[j] = ci * HW;
        tr[j] = int(rr) - int(pc.pad_h);
        ts[j] = int(rs - rr * pc.s) - int(pc.pad_w);
    }
    CONV_ACC_ZERO
    if (t0 < t1) {
        uint img = t0 / PQ;
        uint pq = t0 - img * PQ;
        uint op = pq / pc.q;
        uint oq = pq - op * pc.q;
        for (uint t = t0; t < t1; t++) {
            uint dyimg = img * pc.k * PQ + pq;
            for (uint i = 0; i < TM; i++) {
                a[i] = LDX(DY[dyimg + dyrow[i]]);
            }
            uint ximg = img * CHW;
            if (DIRECT != 0) {
                for (uint j = 0; j < TN; j++) {
                    b[j] = LDX(X[ximg + xc[j] + pq]);
                }
            } else {
                int ihb = int(op * pc.stride_h);
                int iwb = int(oq * pc.stride_w);
                for (uint j = 0; j < TN; j++) {
                    int ih = ihb + tr[j];
                    int iw = iwb + ts[j];
                    bool ok = ih >= 0 && ih < int(pc.h) && iw >= 0 && iw < int(pc.w);
                    b[j] = ok ? LDX(X[ximg + xc[j] + uint(ih) * pc.w + uint(iw)]) : 0.0;
                }
            }
            CONV_ACC_FMA
            // next pixel (n, p, q) in row-major order
            pq++;
            oq++;
            if (oq == pc.q) {
                oq = 0u;
                op++;
                if (op == pc.p) {
                    op = 0u;
                    pq = 0u;
                    img++;
                }
            }
        }
    }
    uint zoff = gl_WorkGroupID.z * pc.k * CRS;
    for (uint i = 0; i < TM; i++) {
        uint kk = row0 + i * WG_Y;
        if (kk >= pc.k) {
            break;
        }
        for (uint j = 0; j < TN; j++) {
            uint col = col0 + j * WG_X;
            if (col >= CRS) {
                break;
            }
            DW[zoff + kk * CRS + col] = acc[i][j];
        }
    }
}
