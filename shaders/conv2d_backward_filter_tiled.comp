#version 450
#define TILE_B_PAD 1
#include "gemm_tile.glsl"
// conv2d_backward_filter_tiled.comp: dw of conv2d_forward like
// conv2d_backward_filter.comp (implicit GEMM dW (K, C*R*S) = sum over flat
// output pixels t = (n, p, q) of dy[n,k,p,q] * im2col(x)[(c,r,s), t], the
// reduction split in chunks of pc.chunk pixels, one per gl_WorkGroupID.z,
// each writing its own partial block that engine/vulkan adds in a fixed
// order), staged through shared-memory tiles with register blocking, laid
// out like gemm_tiled.comp (gemm_tile.glsl): the shape for real GPUs (on
// CPU devices use conv2d_backward_filter).
//
// Bindings (storage buffers, set 0):
//   0: partial (chunks*K*C*R*S floats, written): block z at z*K*C*R*S
//   1: dy (N*K*P*Q floats, or float16s in the _f16 variants, read)
//   2: x  (N*C*H*W floats or float16s, read)
//   3: (cooperative-matrix variants only) the largest magnitudes of the
//      GEMM inputs A and B as float bits, 2 words (absmax.comp; read)
// Variants (compile-time block tile BM x BN (output channels x taps),
// depth BK pixels, TM x TN outputs per invocation, WG = (BM/TM)*(BN/TN)
// invocations, a multiple of BK; loops fully unrolled):
#include "conv2d_tiled_variants.glsl"
// The _f16 variants (F16) store the activations as engine.Float16
// (conv2d_half.glsl): loaded exactly while staging, the tiles and sums
// float32, dw float32; in the cooperative-matrix ones (_cm_s<SGS>_f16)
// dy and x go into the float16 tiles as they are (unscaled,
// coopmat_tile.glsl's CM_A_HALF and CM_B_HALF).
// Shared memory: (BM+BN+8)*BK floats per buffer (rows padded by one vec4, so that the
// BK pixels staged by neighbouring invocations fall in different banks).
// Specialization constants: 0 DIRECT (1: 1x1 kernel, stride 1, no
// padding).
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels 4*(ty + (BM/TM)*i4) + [0, 4) and
// taps 4*(tx + (BN/TN)*j4) + [0, 4) of the block tile, reading shared
// memory as vec4s. While staging, invocation t loads pixel t % BK of both
// tiles (decoded once and advanced by BK per tile with carries;
// neighbouring invocations read neighbouring pixels), in A the channels t / BK + (WG/BK)*u and in B the taps
// t / BK + (WG/BK)*u (decoded once). The Go side makes pc.chunk a multiple
// of BK, so only a chunk's last tile can be partial.
// Dispatch grid: (ceil(C*R*S / BN), ceil(K / BM), chunks).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go).
// CPU reference: cpu.Conv2DBackwardFilter.

// Channels / taps staged per pass over a tile, and passes.
#define TPS (WG / BK)
#define NROW (BM / TPS)
#define NTAP (BN / TPS)

#include "conv2d_half.glsl"

layout(constant_id = 0) const uint DIRECT = 0;

layout(std430, binding = 0) writeonly buffer BDW { float DW[]; };
layout(std430, binding = 1) readonly buffer BDY { ACTIN DY[]; };
layout(std430, binding = 2) readonly buffer BX { ACTIN X[]; };

#include "conv2d_push.glsl"

// The tile being staged, in registers between its global loads and its
// shared-memory stores.
SACT ra[NROW];
SACT rb[NTAP];
uint PQ, HW, CHW, rowBase, t1, ak, tb;
// The pixel this invocation stages, gt = (img, op, oq), kept decoded and
// advanced by BK per tile with carries (dImg, dOp, dOq: BK as (img, p, q)),
// so the loop has no integer division.
uint fgt, fimg, fop, foq, dImg, dOp, dOq;
// Staging: invocation t loads pixel ak = t % BK of each tile (decoded
// once per tile), so that neighbouring invocations read neighbouring
// pixels of dy and x (coalesced); in B the taps tb + TPS*u, decoded once
// in main.
uint sxc[NTAP];  // offset of x[0, c, 0, 0]
int sr[NTAP];    // r - pad_h
int ss[NTAP];    // s - pad_w
bool sok[NTAP];

#ifdef CM_SGS
uint cmCol0, cmCRS, cmZoff;
// The output mapping of the block tile for coopmat_tile.glsl's epilogue
// (cmColBase, cmRowOK, CM_ROW_STRIDE, cmStore: see there).
uint cmColBase(uint c) {
    uint col = cmCol0 + c;
    return col < cmCRS ? cmZoff + col : 0xffffffffu;
}
bool cmRowOK(uint r) {
    return rowBase + r < pc.k;
}
#define CM_ROW_STRIDE cmCRS
void cmStore(uint idx, float v) {
    DW[idx] = v;
}
#if F16 != 0
#define CM_A_HALF // dy, staged as float16_t
#define CM_B_HALF // x, staged as float16_t
#endif
#include "coopmat_tile.glsl"
#endif

// loadTiles reads the A tile (dy rows k = rowBase.., pixels k0..) and the
// B tile (im2col(x)^T, pixels k0.. by taps colBase..) into ra / rb, zero
// outside. Called for k0 = t0, t0 + BK, ... in that order (the pixel
// decode state advances by BK per call).
void loadTiles(uint k0) {
    uint gt = fgt; // == k0 + ak
    bool ok = gt < t1;
    uint img = ok ? fimg : 0u;
    uint op = ok ? fop : 0u;
    uint pq = ok ? op * pc.q + foq : 0u;
    uint dyb = img * pc.k * PQ + pq;
    [[unroll]] for (uint u = 0; u < NROW; u++) {
        uint gr = rowBase + tb + TPS * u;
        ra[u] = (ok && gr < pc.k) ? LDX(DY[dyb + gr * PQ]) : SACT0;
    }
    uint xb = img * CHW;
    int ihb = int(op * pc.stride_h);
    int iwb = int((pq - op * pc.q) * pc.stride_w);
    // Advance to gt + BK.
    uint q2 = foq + dOq;
    uint c1 = q2 >= pc.q ? 1u : 0u;
    foq = q2 - c1 * pc.q;
    uint p2 = fop + dOp + c1;
    uint c2 = p2 >= pc.p ? 1u : 0u;
    fop = p2 - c2 * pc.p;
    fimg += dImg + c2;
    fgt = gt + BK;
    [[unroll]] for (uint u = 0; u < NTAP; u++) {
        SACT v = SACT0;
        if (ok && sok[u]) {
            if (DIRECT != 0) {
                v = LDX(X[xb + sxc[u] + pq]);
            } else {
                int ih = ihb + sr[u];
                int iw = iwb + ss[u];
                if (ih >= 0 && ih < int(pc.h) && iw >= 0 && iw < int(pc.w)) {
                    v = LDX(X[xb + sxc[u] + uint(ih) * pc.w + uint(iw)]);
                }
            }
        }
        rb[u] = v;
    }
}

// storeTiles writes ra / rb into shared buffer buf.
void storeTiles(uint buf) {
    [[unroll]] for (uint u = 0; u < NROW; u++) {
        uint rr = tb + TPS * u;
        STORE_A(buf, ak, rr, ra[u]);
    }
    [[unroll]] for (uint u = 0; u < NTAP; u++) {
        uint cc = tb + TPS * u;
        STORE_B(buf, ak, cc, rb[u]);
    }
}

// The second part of gemm_tile.glsl: multiplyTiles.
#include "gemm_tile.glsl"

void main() {
    PQ = pc.p * pc.q;
    HW = pc.h * pc.w;
    uint RS = pc.r * pc.s;
    uint CRS = pc.c * RS;
    CHW = pc.c * HW;
    uint total = pc.n * PQ;
    rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    uint t = gl_LocalInvocationID.x;
    TILE_XY(t)
    uint t0 = gl_WorkGroupID.z * pc.chunk;
    t1 = min(t0 + pc.chunk, total);

    ak = t % BK;
    tb = t / BK;
    dImg = BK / PQ;
    dOp = (BK - dImg * PQ) / pc.q;
    dOq = BK - dImg * PQ - dOp * pc.q;
    fgt = t0 + ak;
    fimg = fgt / PQ;
    fop = (fgt - fimg * PQ) / pc.q;
    foq = fgt - fimg * PQ - fop * pc.q;
    [[unroll]] for (uint u = 0; u < NTAP; u++) {
        uint tap = colBase + tb + TPS * u;
        sok[u] = tap < CRS;
        uint ci = 0u, rr = 0u, rs = 0u;
        if (sok[u]) {
            ci = tap / RS;
            rs = tap - ci * RS;
            rr = rs / pc.s;
        }
        sxc[u] = ci * HW;
        sr[u] = int(rr) - int(pc.pad_h);
        ss[u] = int(rs - rr * pc.s) - int(pc.pad_w);
    }

#ifdef CM_SGS
    cmCol0 = colBase;
    cmCRS = CRS;
    cmZoff = gl_WorkGroupID.z * pc.k * CRS;
#endif
    TILE_ZERO
    TILE_LOOP(t0, t1)
#ifdef CM_SGS
    cmEpilogue();
#else
    uint zoff = gl_WorkGroupID.z * pc.k * CRS;
    [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
        [[unroll]] for (uint ii = 0; ii < 4; ii++) {
            uint kk = rowBase + 4u * (ty + TY * i4) + ii;
            if (kk >= pc.k) {
                continue;
            }
            [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
                [[unroll]] for (uint jj = 0; jj < 4; jj++) {
                    uint col = colBase + 4u * (tx + TX * j4) + jj;
                    if (col < CRS) {
                        DW[zoff + kk * CRS + col] = acc[4 * i4 + ii][j4][jj];
                    }
                }
            }
        }
    }
#endif
}
