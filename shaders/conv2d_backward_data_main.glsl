// conv2d_backward_data_main.glsl: the kernel of
// conv2d_backward_data.comp (float32 dx and dy) and
// conv2d_backward_data_f16.comp (dx and dy engine.Float16 tensors:
// conv2d_half.glsl): dx = d(sum y*dy)/dx of conv2d_forward,
// overwriting dx, as an implicit GEMM gather (no col2im scatter, no
// atomics): GEMM rows are input channels c, GEMM columns the flattened input
// pixels (n, h, w) of the batch, and the reduction runs over (r, s, k):
//   dx[n,c,h,w] = sum_{r,s,k} w[k,c,r,s] * dy[n,k,(h+pad_h-r)/stride_h,(w+pad_w-s)/stride_w]
// over the taps where both divisions are exact and land inside dy.
// Register-blocked, no shared memory and no barrier().
//
// Bindings (storage buffers, set 0):
//   0: dx (N*C*H*W floats or float16s, written)
//   1: dy (N*K*P*Q floats or float16s, read)
//   2: w  (K*C*R*S floats, read)
// Specialization constants: 0 WG_X, 1 WG_Y (local size), 2 TM (input
// channels per invocation), 3 TN (input pixels per invocation), 4 DIRECT
// (1: 1x1 kernel, stride 1, no padding: dx[n] = W^T dy[n], plain loads).
// Layout: local_size = (WG_X, WG_Y); invocation (x, y) of workgroup (X, Y)
// computes channels Y*WG_Y*TM + y + i*WG_Y (i < TM) for the GEMM columns
// X*WG_X*TN + x + j*WG_X (j < TN), interleaved so that neighbouring
// invocations touch neighbouring pixels (out-of-range ones clamped for
// reads, not written). Column t is pixel (n, hq*stride_h + ch,
// wq*stride_w + cw) for t = ((ch*stride_w + cw)*N + n)*Hq*Wq + hq*Wq + wq,
// Hq = ceil(H/stride_h), Wq = ceil(W/stride_w): pixels grouped by stride
// class, so that an invocation's neighbours need the same taps (class
// padding past H or W is skipped).
// Dispatch grid: (ceil(stride_h*stride_w*N*Hq*Wq / (WG_X*TN)),
// ceil(C / (WG_Y*TM)), 1).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go; chunk unused
// here).
// CPU reference: cpu.Conv2DBackwardData.

#include "conv2d_half.glsl"
#include "conv2d_direct.glsl"

layout(std430, binding = 0) writeonly buffer BDX { ACT DX[]; };
layout(std430, binding = 1) readonly buffer BDY { ACT DY[]; };
layout(std430, binding = 2) readonly buffer BW { float Wt[]; };

#include "conv2d_push.glsl"

void main() {
    CONV_SIZES
    // Columns enumerate the input pixels grouped by stride class
    // (h mod stride_h, w mod stride_w), each class padded to Hq x Wq, so
    // that neighbouring invocations share the set of taps that reach them
    // (a quarter of the taps for stride 2) and skip the others together.
    // Stride 1: the plain (n, h, w) order.
    uint Hq = (pc.h + pc.stride_h - 1u) / pc.stride_h;
    uint Wq = (pc.w + pc.stride_w - 1u) / pc.stride_w;
    uint per = pc.n * Hq * Wq;
    uint cols = pc.stride_h * pc.stride_w * per;
    CONV_ORIGIN
    if (row0 >= pc.c || col0 >= cols) {
        return;
    }
    uint wcol[TM];  // offset of w[0, c, 0, 0]
    for (uint i = 0; i < TM; i++) {
        wcol[i] = min(row0 + i * WG_Y, pc.c - 1u) * RS;
    }
    uint dybase[TN];  // dy offset of image n
    uint dxbase[TN];  // dx offset of (n, 0, h, w)
    int th0[TN];      // h + pad_h
    int tw0[TN];      // w + pad_w
    bool inb[TN];     // a real pixel, not class padding
    for (uint j = 0; j < TN; j++) {
        uint col = min(col0 + j * WG_X, cols - 1u);
        uint cls = col / per;
        uint rem = col - cls * per;
        uint img = rem / (Hq * Wq);
        uint rq = rem - img * (Hq * Wq);
        uint hq = rq / Wq;
        uint ch = cls / pc.stride_w;
        uint ih = hq * pc.stride_h + ch;
        uint iw = (rq - hq * Wq) * pc.stride_w + (cls - ch * pc.stride_w);
        inb[j] = ih < pc.h && iw < pc.w;
        ih = min(ih, pc.h - 1u);
        iw = min(iw, pc.w - 1u);
        uint hw = ih * pc.w + iw;
        dybase[j] = img * pc.k * PQ;
        dxbase[j] = img * pc.c * HW + hw;
        th0[j] = int(ih + pc.pad_h);
        tw0[j] = int(iw + pc.pad_w);
    }
    CONV_ACC_ZERO
    for (uint rr = 0; rr < pc.r; rr++) {
        for (uint ss = 0; ss < pc.s; ss++) {
            uint off[TN];
            bool ok[TN];
            bool any = false;
            for (uint j = 0; j < TN; j++) {
                if (DIRECT != 0) {
                    ok[j] = inb[j];
                    off[j] = dybase[j] + (dxbase[j] - (dxbase[j] / HW) * HW);
                } else {
                    int ty = th0[j] - int(rr);
                    int tx = tw0[j] - int(ss);
                    int op = ty / int(pc.stride_h);
                    int oq = tx / int(pc.stride_w);
                    ok[j] = inb[j] && ty >= 0 && tx >= 0 && op * int(pc.stride_h) == ty && oq * int(pc.stride_w) == tx &&
                            op < int(pc.p) && oq < int(pc.q);
                    off[j] = ok[j] ? dybase[j] + uint(op) * pc.q + uint(oq) : 0u;
                }
                any = any || ok[j];
            }
            if (!any) {
                continue;  // stride > 1: this tap hits none of these pixels
            }
            uint wtap = rr * pc.s + ss;
            for (uint kk = 0; kk < pc.k; kk++) {
                for (uint i = 0; i < TM; i++) {
                    a[i] = Wt[kk * CRS + wcol[i] + wtap];
                }
                for (uint j = 0; j < TN; j++) {
                    b[j] = ok[j] ? LDX(DY[off[j] + kk * PQ]) : 0.0;
                }
                CONV_ACC_FMA
            }
        }
    }
    CONV_STORE(ci, pc.c, cols, if (!inb[j]) { continue; } DX[dxbase[j] + ci * HW] = STX(acc[i][j]);)
}
