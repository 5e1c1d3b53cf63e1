#version 450
#define TILE_B_PAD 0
#include "gemm_tile.glsl"
// conv2d_forward_tiled.comp: y = conv(x, w) like conv2d_forward.comp (same
// implicit GEMM Y[n] (K, P*Q) = W (K, C*R*S) * im2col(x[n]), columns the
// flat output pixels (n, p, q) of the batch), staged through shared-memory
// tiles with register blocking, laid out like gemm_tiled.comp (the tiles
// and the k loop are gemm_tile.glsl's): the shape for real GPUs (on CPU
// devices, where barrier() is slow, use conv2d_forward). The im2col gather
// happens while staging the B tile; no im2col buffer exists.
//
// Bindings (storage buffers, set 0):
//   0: y (N*K*P*Q floats, or float16s in the _f16 variants, written)
//   1: x (N*C*H*W floats or float16s, read)
//   2: w (K*C*R*S floats, read)
//   3: (cooperative-matrix variants only) the largest magnitudes of the
//      GEMM inputs A and B as float bits, 2 words (absmax.comp; read)
// Variants (compile-time block tile BM x BN (output channels x pixels),
// depth BK, TM x TN outputs per invocation, WG = (BM/TM)*(BN/TN)
// invocations, a multiple of BN; loops fully unrolled, so the accumulators
// stay in registers):
#include "conv2d_tiled_variants.glsl"
// The _f16 variants (F16) store the activations as engine.Float16
// (conv2d_half.glsl): loaded exactly while staging, the tiles and sums
// float32, each output rounded once; in the cooperative-matrix ones
// (_cm_s<SGS>_f16) x goes into the float16 B tile as it is (unscaled,
// coopmat_tile.glsl's CM_B_HALF) and y is rounded once from the float32
// sums as in the others.
// Shared memory: (BM+4+BN)*BK floats per buffer (A rows padded by one
// vec4: the transposed stores of the A tile hit distinct banks); engine/vulkan
// checks maxComputeSharedMemorySize and the workgroup limits.
// Specialization constants: 0 DIRECT (1: 1x1 kernel, stride 1, no padding:
// plain loads of x).
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels 4*(ty + (BM/TM)*i4) + [0, 4) and
// pixels 4*(tx + (BN/TN)*j4) + [0, 4) of the block tile (i4 < TM/4,
// j4 < TN/4), reading shared memory as vec4s. While staging, invocation t
// always loads pixel column t % BN of the B tile, so it decodes (n, p, q)
// once; the reduction index (c, r, s) of each element it stages is decoded
// once too and advanced by BK per tile (no division in the loop).
// Dispatch grid: (ceil(N*P*Q / BN), ceil(K / BM), 1).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go; chunk unused
// here).
// CPU reference: cpu.Conv2DForward.


#include "conv2d_half.glsl"

layout(constant_id = 0) const uint DIRECT = 0;

layout(std430, binding = 0) writeonly buffer BY { ACT Y[]; };
layout(std430, binding = 1) readonly buffer BX { ACTIN X[]; };
layout(std430, binding = 2) readonly buffer BW { float Wt[]; };

#include "conv2d_push.glsl"

// The tile being staged, in registers between its global loads and its
// shared-memory stores.
float ra[BM * BK / WG];
SACT rb[BN * BK / WG];
uint HW, RS, CRS, rowBase, t, sc, sxbase, spq;
bool scolOK;
int sih0, siw0;
// The B-tile elements this invocation stages, reduction index
// gk = (c, r, s) each, kept decoded and advanced by BK per tile with
// carries (dC, dR, dS: BK as (c, r, s)), so the loop has no integer
// division (a dozen instructions each on GPUs).
#define NB (BN * BK / WG)
uint bgk[NB], bc[NB], br[NB], bs[NB];
uint dC, dR, dS;

#ifdef CM_SGS
uint cmCol0, cmCols, cmPQ;
// The output mapping of the block tile for coopmat_tile.glsl's epilogue
// (cmColBase, cmRowOK, CM_ROW_STRIDE, cmStore: see there).
uint cmColBase(uint c) {
    uint col = cmCol0 + c;
    if (col >= cmCols) {
        return 0xffffffffu;
    }
    uint img = col / cmPQ;
    return img * pc.k * cmPQ + (col - img * cmPQ);
}
bool cmRowOK(uint r) {
    return rowBase + r < pc.k;
}
#define CM_ROW_STRIDE cmPQ
void cmStore(uint idx, float v) {
    Y[idx] = STX(v);
}
#if F16 != 0
#define CM_B_HALF // x, staged as float16_t
#endif
#include "coopmat_tile.glsl"
#endif

// loadTiles reads the A tile (w rows rowBase.., reduction k0..) and the B
// tile (im2col gather, column sc, rows t / BN + (WG / BN) * it) into
// ra / rb, zero outside. Called for k0 = 0, BK, 2*BK, ... in that order
// (the B decode state advances by BK per call).
void loadTiles(uint k0) {
    [[unroll]] for (uint it = 0; it < BM * BK / WG; it++) {
        uint e = t + it * WG;
        uint rr = e / BK, kk = e % BK;
        uint gr = rowBase + rr, gk = k0 + kk;
        ra[it] = (gr < pc.k && gk < CRS) ? Wt[gr * CRS + gk] : 0.0;
    }
    [[unroll]] for (uint it = 0; it < NB; it++) {
        uint gk = bgk[it]; // == k0 + t / BN + (WG / BN) * it
        SACT v = SACT0;
        if (scolOK && gk < CRS) {
            if (DIRECT != 0) {
                v = LDX(X[sxbase + gk * HW + spq]);
            } else {
                int ih = sih0 + int(br[it]);
                int iw = siw0 + int(bs[it]);
                if (ih >= 0 && ih < int(pc.h) && iw >= 0 && iw < int(pc.w)) {
                    v = LDX(X[sxbase + bc[it] * HW + uint(ih) * pc.w + uint(iw)]);
                }
            }
        }
        rb[it] = v;
        // Advance to gk + BK.
        uint s2 = bs[it] + dS;
        uint c1 = s2 >= pc.s ? 1u : 0u;
        s2 -= c1 * pc.s;
        uint r2 = br[it] + dR + c1;
        uint c2 = r2 >= pc.r ? 1u : 0u;
        bs[it] = s2;
        br[it] = r2 - c2 * pc.r;
        bc[it] += dC + c2;
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
    uint PQ = pc.p * pc.q;
    HW = pc.h * pc.w;
    RS = pc.r * pc.s;
    CRS = pc.c * RS;
    uint cols = pc.n * PQ;
    rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    t = gl_LocalInvocationID.x;
    TILE_XY(t)

    // The pixel column this invocation stages.
    sc = t % BN;
    uint scol = colBase + sc;
    scolOK = scol < cols;
    uint simg = 0u;
    spq = 0u;
    sih0 = 0;
    siw0 = 0;
    if (scolOK) {
        simg = scol / PQ;
        spq = scol - simg * PQ;
        uint op = spq / pc.q;
        sih0 = int(op * pc.stride_h) - int(pc.pad_h);
        siw0 = int((spq - op * pc.q) * pc.stride_w) - int(pc.pad_w);
    }
    sxbase = simg * pc.c * HW;
    dC = BK / RS;
    dR = (BK - dC * RS) / pc.s;
    dS = BK - dC * RS - dR * pc.s;
    [[unroll]] for (uint it = 0; it < NB; it++) {
        uint gk = t / BN + (WG / BN) * it;
        bgk[it] = gk;
        bc[it] = gk / RS;
        uint rs = gk - bc[it] * RS;
        br[it] = rs / pc.s;
        bs[it] = rs - br[it] * pc.s;
    }

#ifdef CM_SGS
    cmCol0 = colBase;
    cmCols = cols;
    cmPQ = PQ;
#endif
    TILE_ZERO
    TILE_LOOP(0u, CRS)
#ifdef CM_SGS
    cmEpilogue();
#else
    [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
        [[unroll]] for (uint jj = 0; jj < 4; jj++) {
            uint col = colBase + 4u * (tx + TX * j4) + jj;
            if (col >= cols) {
                continue;
            }
            uint img = col / PQ;
            uint ybase = img * pc.k * PQ + (col - img * PQ);
            [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
                [[unroll]] for (uint ii = 0; ii < 4; ii++) {
                    uint kk = rowBase + 4u * (ty + TY * i4) + ii;
                    if (kk < pc.k) {
                        Y[ybase + kk * PQ] = STX(acc[4 * i4 + ii][j4][jj]);
                    }
                }
            }
        }
    }
#endif
}
