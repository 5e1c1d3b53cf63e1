#version 450
#define TILE_B_PAD 0
#include "gemm_tile.glsl"
// conv2d_backward_data_tiled.comp: dx = d(sum y*dy)/dx of conv2d_forward,
// overwriting dx, like conv2d_backward_data.comp (implicit GEMM gather:
// rows input channels c, columns the flat input pixels (n, h, w), reduction
// over (k, r, s)), staged through shared-memory tiles with register
// blocking, laid out like gemm_tiled.comp (gemm_tile.glsl): the shape for
// real GPUs (on CPU devices use conv2d_backward_data). At stride > 1 each
// workgroup takes the input pixels of one stride class (gl_WorkGroupID.z =
// ch*stride_w + cw: the pixels h = ch + hh*stride_h, w = cw +
// ww*stride_w), whose reduction runs over the taps that reach dy from that class only, r =
// fh + rr*stride_h with fh = (ch + pad_h) % stride_h (likewise s), so no
// tap that misses dy is staged: dx[n, c, h, w] = sum over (k, rr, ss) of
// w[k, c, r, s] * dy[n, k, bh + hh - rr, bw + ww - ss], bh = (ch + pad_h -
// fh) / stride_h. Stride 1 is the single class ch = cw = 0.
//
// Bindings (storage buffers, set 0):
//   0: dx (N*C*H*W floats, or float16s in the _f16 variants, written)
//   1: dy (N*K*P*Q floats or float16s, read)
//   2: w  (K*C*R*S floats, read)
//   3: (cooperative-matrix variants only) the largest magnitudes of the
//      GEMM inputs A and B as float bits, 2 words (absmax.comp; read)
// Variants (compile-time block tile BM x BN (input channels x pixels),
// depth BK, TM x TN outputs per invocation, WG = (BM/TM)*(BN/TN)
// invocations, a multiple of BN; loops fully unrolled):
#include "conv2d_tiled_variants.glsl"
// The _f16 variants (F16) store the activations as engine.Float16
// (conv2d_half.glsl): loaded exactly while staging, the tiles and sums
// float32, each output rounded once; in the cooperative-matrix ones
// (_cm_s<SGS>_f16) dy goes into the float16 B tile as it is (unscaled,
// coopmat_tile.glsl's CM_B_HALF) and dx is rounded once from the float32
// sums as in the others.
// Shared memory: (BM+4+BN)*BK floats per buffer (A rows padded by one
// vec4: the transposed stores of the A tile hit distinct banks).
// Specialization constants: 0 DIRECT (1: 1x1 kernel, stride 1, no
// padding).
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels 4*(ty + (BM/TM)*i4) + [0, 4) and
// class pixels 4*(tx + (BN/TN)*j4) + [0, 4) of the block tile, reading
// shared memory as vec4s. While staging, invocation t always loads pixel
// column t % BN of the B tile, decoding (n, hh, ww) once; the class
// reduction index k*Rc*Sc + rr*Sc + ss of each element it stages (and of
// its A-tile column) is decoded once too and advanced by BK per tile (no
// division in the loop).
// Dispatch grid: (ceil(N*ceil(H/stride_h)*ceil(W/stride_w) / BN), ceil(C /
// BM), stride_h*stride_w): class 0 has the most pixels; workgroups past
// their class's pixels exit at once.
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go; chunk unused
// here).
// CPU reference: cpu.Conv2DBackwardData.


#include "conv2d_half.glsl"

layout(constant_id = 0) const uint DIRECT = 0;

layout(std430, binding = 0) writeonly buffer BDX { ACT DX[]; };
layout(std430, binding = 1) readonly buffer BDY { ACTIN DY[]; };
layout(std430, binding = 2) readonly buffer BW { float Wt[]; };

#include "conv2d_push.glsl"

// The tile being staged, in registers between its global loads and its
// shared-memory stores.
float ra[BM * BK / WG];
SACT rb[BN * BK / WG];
uint PQ, RS, CRS, KRS, rowBase, t, sc, sdybase, shw;
bool scolOK;
int sth, stw;  // bh + hh, bw + ww: dy's row and column at tap (0, 0)
// The stride class: its first pixel (ch, cw), first taps (fh, fw), taps
// per axis (Rc, Sc; RSc = Rc*Sc) and pixels per axis (Hc, Wc).
uint ch, cw, fh, fw, Rc, Sc, RSc, Hc, Wc;
// Reduction indices gk = (k, rr, ss) of the class kept decoded and
// advanced by BK per tile with carries (dK, dR, dS: BK as (k, rr, ss)), so
// the loop has no integer division: the A-tile column of this invocation
// (k0 + t % BK, the same for every A element it stages since WG is a
// multiple of BK) as (ak, arr, ass), and each B element as (bgk, bk, br,
// bs).
#define NB (BN * BK / WG)
uint ak, arr, ass;
uint bgk[NB], bk[NB], br[NB], bs[NB];
uint dK, dR, dS;

// dxColBase is the dx offset of the class's pixel column col (n, hh, ww),
// channel 0.
uint dxColBase(uint col) {
    uint hwc = Hc * Wc;
    uint img = col / hwc;
    uint rem = col - img * hwc;
    uint hh = rem / Wc;
    return img * pc.c * pc.h * pc.w + (ch + hh * pc.stride_h) * pc.w + cw + (rem - hh * Wc) * pc.stride_w;
}

#ifdef CM_SGS
uint cmCol0, cmCols, cmHW;
// The output mapping of the block tile for coopmat_tile.glsl's epilogue
// (cmColBase, cmRowOK, CM_ROW_STRIDE, cmStore: see there).
uint cmColBase(uint c) {
    uint col = cmCol0 + c;
    if (col >= cmCols) {
        return 0xffffffffu;
    }
    return dxColBase(col);
}
bool cmRowOK(uint r) {
    return rowBase + r < pc.c;
}
#define CM_ROW_STRIDE cmHW
void cmStore(uint idx, float v) {
    DX[idx] = STX(v);
}
#if F16 != 0
#define CM_B_HALF // dy, staged as float16_t
#endif
#include "coopmat_tile.glsl"
#endif

// loadTiles reads the A tile (W^T, rows c = rowBase.., reduction
// (k, r, s) = k0..) and the B tile (dy gathered at the tap (r, s) of each
// reduction index) into ra / rb, zero outside. Called for k0 = 0, BK,
// 2*BK, ... in that order (the decode state advances by BK per call).
void loadTiles(uint k0) {
    uint agk = k0 + t % BK;
    [[unroll]] for (uint it = 0; it < BM * BK / WG; it++) {
        uint gr = rowBase + (t + it * WG) / BK;
        float v = 0.0;
        if (gr < pc.c && agk < KRS) {
            v = Wt[ak * CRS + gr * RS + (fh + arr * pc.stride_h) * pc.s + fw + ass * pc.stride_w];
        }
        ra[it] = v;
    }
    // Advance the A column to agk + BK: (ak, arr, ass) += (dK, dR, dS).
    uint as2 = ass + dS;
    uint ca1 = as2 >= Sc ? 1u : 0u;
    ass = as2 - ca1 * Sc;
    uint ar2 = arr + dR + ca1;
    uint ca2 = ar2 >= Rc ? 1u : 0u;
    arr = ar2 - ca2 * Rc;
    ak += dK + ca2;
    [[unroll]] for (uint it = 0; it < NB; it++) {
        uint gk = bgk[it]; // == k0 + t / BN + (WG / BN) * it
        SACT v = SACT0;
        if (scolOK && gk < KRS) {
            if (DIRECT != 0) {
                v = LDX(DY[sdybase + bk[it] * PQ + shw]);
            } else {
                int op = sth - int(br[it]);
                int oq = stw - int(bs[it]);
                if (op >= 0 && oq >= 0 && op < int(pc.p) && oq < int(pc.q)) {
                    v = LDX(DY[sdybase + bk[it] * PQ + uint(op) * pc.q + uint(oq)]);
                }
            }
        }
        rb[it] = v;
        // Advance to gk + BK.
        uint s2 = bs[it] + dS;
        uint c1 = s2 >= Sc ? 1u : 0u;
        s2 -= c1 * Sc;
        uint r2 = br[it] + dR + c1;
        uint c2 = r2 >= Rc ? 1u : 0u;
        bs[it] = s2;
        br[it] = r2 - c2 * Rc;
        bk[it] += dK + c2;
        bgk[it] = gk + BK;
    }
}

// storeTiles writes ra / rb into shared buffer buf.
void storeTiles(uint buf) {
    [[unroll]] for (uint it = 0; it < BM * BK / WG; it++) {
        uint e = t + it * WG;
        uint rr = e / BK, kk = e % BK;
        STORE_A(buf, kk, rr, ra[it]);
    }
    [[unroll]] for (uint it = 0; it < BN * BK / WG; it++) {
        uint kk = t / BN + (WG / BN) * it;
        STORE_B(buf, kk, sc, rb[it]);
    }
}

// The second part of gemm_tile.glsl: multiplyTiles.
#include "gemm_tile.glsl"

void main() {
    PQ = pc.p * pc.q;
    uint HW = pc.h * pc.w;
    RS = pc.r * pc.s;
    CRS = pc.c * RS;
    // The stride class of this workgroup.
    ch = gl_WorkGroupID.z / pc.stride_w;
    cw = gl_WorkGroupID.z - ch * pc.stride_w;
    fh = (ch + pc.pad_h) % pc.stride_h;
    fw = (cw + pc.pad_w) % pc.stride_w;
    Hc = ch < pc.h ? (pc.h - ch + pc.stride_h - 1u) / pc.stride_h : 0u;
    Wc = cw < pc.w ? (pc.w - cw + pc.stride_w - 1u) / pc.stride_w : 0u;
    Rc = fh < pc.r ? (pc.r - fh + pc.stride_h - 1u) / pc.stride_h : 0u;
    Sc = fw < pc.s ? (pc.s - fw + pc.stride_w - 1u) / pc.stride_w : 0u;
    RSc = Rc * Sc;
    KRS = pc.k * RSc; // 0 for a class no tap reaches: its dx is zero
    uint cols = pc.n * Hc * Wc;
    rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    t = gl_LocalInvocationID.x;
    if (colBase >= cols) {
        return; // past this class's pixels (uniform in the workgroup)
    }
    uint bh = (ch + pc.pad_h - fh) / pc.stride_h;
    uint bw = (cw + pc.pad_w - fw) / pc.stride_w;
    TILE_XY(t)

    // The input pixel column this invocation stages.
    sc = t % BN;
    uint scol = colBase + sc;
    scolOK = scol < cols;
    uint simg = 0u;
    shw = 0u;
    sth = 0;
    stw = 0;
    if (scolOK) {
        uint hwc = Hc * Wc;
        simg = scol / hwc;
        uint rem = scol - simg * hwc;
        uint hh = rem / Wc;
        uint ww = rem - hh * Wc;
        shw = hh * pc.w + ww; // DIRECT (stride 1, one class): the pixel in its image
        sth = int(bh + hh);
        stw = int(bw + ww);
    }
    sdybase = simg * pc.k * PQ;
    uint RSd = max(RSc, 1u), Sd = max(Sc, 1u); // no division by zero for a tapless class
    dK = BK / RSd;
    dR = (BK - dK * RSd) / Sd;
    dS = BK - dK * RSd - dR * Sd;
    ak = (t % BK) / RSd;
    uint ars = t % BK - ak * RSd;
    arr = ars / Sd;
    ass = ars - arr * Sd;
    [[unroll]] for (uint it = 0; it < NB; it++) {
        uint gk = t / BN + (WG / BN) * it;
        bgk[it] = gk;
        bk[it] = gk / RSd;
        uint rs = gk - bk[it] * RSd;
        br[it] = rs / Sd;
        bs[it] = rs - br[it] * Sd;
    }

#ifdef CM_SGS
    cmCol0 = colBase;
    cmCols = cols;
    cmHW = HW;
#endif
    TILE_ZERO
    TILE_LOOP(0u, KRS)
#ifdef CM_SGS
    cmEpilogue();
#else
    [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
        [[unroll]] for (uint jj = 0; jj < 4; jj++) {
            uint col = colBase + 4u * (tx + TX * j4) + jj;
            if (col >= cols) {
                continue;
            }
            uint dxbase = dxColBase(col);
            [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
                [[unroll]] for (uint ii = 0; ii < 4; ii++) {
                    uint ci = rowBase + 4u * (ty + TY * i4) + ii;
                    if (ci < pc.c) {
                        DX[dxbase + ci * HW] = STX(acc[4 * i4 + ii][j4][jj]);
                    }
                }
            }
        }
    }
#endif
}
