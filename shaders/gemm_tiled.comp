#version 450
#define TILE_B_PAD 1
#include "gemm_tile.glsl"
// gemm_tiled.comp: C = alpha * op(A) * op(B) + beta * C for each batch
// entry; shared-memory tiles with register blocking (gemm_tile.glsl: the
// tiles, the k loop, double buffering), the shape for real GPUs (CPU
// devices use gemm_subgroup / gemm_vec4 / gemm_regblock).
//
// Bindings (storage buffers, set 0):
//   0: C (batch*m*n floats, read when beta != 0, written)
//   1: A (batch*m*k floats, read): (m, k) row-major, or (k, m) when TRANS_A
//   2: B (batch*k*n floats, read): (k, n) row-major, or (n, k) when TRANS_B
//   3: (cooperative-matrix variants only) the largest magnitudes of the
//      GEMM inputs A and B as float bits, 2 words (absmax.comp; read)
// Variants (compile-time block tile BM x BN, depth BK, TM x TN outputs per
// invocation, WG = (BM/TM)*(BN/TN) invocations; fully unrolled):
// variant: 128x128 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8
// variant: 64x64 -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4
// variant: 32x32 -DBM=32 -DBN=32 -DBK=16 -DTM=4 -DTN=4
// variant: 32x32_splitk -DBM=32 -DBN=32 -DBK=16 -DTM=4 -DTN=4 -DSPLIT_K=1
// variant: 64x64_splitk -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4 -DSPLIT_K=1
// variant: 128x128_db -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DDB=1
// variant: 64x64_db -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4 -DDB=1
// variant: 128x128_k16 -DBM=128 -DBN=128 -DBK=16 -DTM=8 -DTN=8
// variant: 128x128_v4 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DV4=1
// variant: 64x64_v4 -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4 -DV4=1
// variant: 128x128_db_v4 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DDB=1 -DV4=1
// variant: 128x128_k16_v4 -DBM=128 -DBN=128 -DBK=16 -DTM=8 -DTN=8 -DV4=1
// variant: 64x128 -DBM=64 -DBN=128 -DBK=16 -DTM=4 -DTN=8
// variant: 128x64 -DBM=128 -DBN=64 -DBK=16 -DTM=8 -DTN=4
// variant: 64x128_v4 -DBM=64 -DBN=128 -DBK=16 -DTM=4 -DTN=8 -DV4=1
// variant: 128x64_v4 -DBM=128 -DBN=64 -DBK=16 -DTM=8 -DTN=4 -DV4=1
// The rectangular 64x128 and 128x64 tiles (4x8 / 8x4 outputs per
// invocation, 256 invocations, 16-deep) fit products with 64 rows or
// columns, such as Winograd's batched products on 64-channel layers, where
// 128x128 wastes half its multiply-adds and 64x64 loads more per output
// (autotuning candidates).
// The _v4 variants (V4 defined) load the tiles from global memory as vec4s
// along each matrix's contiguous dimension (a quarter of the load
// instructions), for products whose contiguous dimensions (k or m of A, n
// or k of B) are multiples of 4; engine/vulkan runs the plain variant
// otherwise. Autotuning candidates.
// variant: 128x128_cm_s8 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32
// variant: 128x128_cm_s32 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32
// variant: 128x128_cm_s64 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64
// variant: 128x128_db_cm_s8 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32
// variant: 128x128_db_cm_s32 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32
// variant: 128x128_db_cm_s64 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64
// Cooperative-matrix variants (128x128_[db_]cm_s<SGS>, CM_SGS defined; for devices
// whose subgroup size is SGS): the same staging, but the tiles are stored
// as float16 and multiplied by cooperative matrices with float32
// accumulation (coopmat_tile.glsl: layout, shared memory, rounding):
// 16x16x16 fragments for s32 (8 subgroups of 64x32 outputs, 256
// invocations) and s64 (4 of 64x64), 8x8x8 for s8 (lavapipe's shape; 16
// of 32x32, 128 invocations). engine/vulkan uses them only where the
// device has VK_KHR_cooperative_matrix with that shape and the user asked
// for it (Options.CoopMat).
// The db_ variants are double-buffered like the float32 _db ones (an
// autotuning candidate).
// The _k16 variant stages 16-deep tiles: half the barriers per
// multiply-add of the 8-deep 128x128, twice its shared memory (no
// double-buffered _k16: its 33 KiB would not fit lavapipe's 32 KiB, so CI
// could not check it).
// Double-buffered variants (DB defined): gemm_tile.glsl.
// Shared memory: (BM+BN+8)*BK floats per buffer (each tile row padded by
// one vec4, so that the transposed tile stores hit distinct banks): 8448
// bytes for 128x128, 8704 for 64x64, 12800 for 64x128 and 128x64 (16
// deep), 4608 and 64 invocations for 32x32,
// the tile for small problems; engine/vulkan (gemmSupported) checks
// maxComputeSharedMemorySize and maxComputeWorkGroupInvocations.
// Split-K variants (SPLIT_K defined): binding 0 is instead P, the partial
// products (slices*m*n floats, written): workgroup z reduces the K slice
// [z*kchunk, min(k, (z+1)*kchunk)) of batch entry pc.batch into
// P[z*m*n + r*n + c] without alpha or beta; gemm_splitk_reduce.comp then
// adds the slices in order. The dispatch grid is (ceil(n/BN), ceil(m/BM),
// slices) and the push constants {uint m, n, k, kchunk, batch} (Go:
// pushGemmSplitK in engine/vulkan/gemm_splitk.go).
// Specialization constants: 0 TRANS_A, 1 TRANS_B (0/1).
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes rows ty*4 + (BM/(TM/4))*i4 + [0, 4) and columns
// tx*4 + (BN/(TN/4))*j4 + [0, 4) of the block tile, for i4 < TM/4 and
// j4 < TN/4: groups of 4 adjacent rows / columns, so each k step reads
// op(A) and op(B) from shared memory as TM/4 + TN/4 vec4s.
// Dispatch grid: (ceil(n/BN), ceil(m/BM), batches), batch =
// gl_WorkGroupID.z + batch0.
// Push constants: {uint m, n, k, batch0; float alpha, beta} (Go: pushGemm in
// engine/vulkan/gemm.go). beta == 0 ignores C's contents.
// CPU reference: cpu.Gemm / cpu.GemmBatched.

layout(constant_id = 0) const uint TRANS_A = 0;
layout(constant_id = 1) const uint TRANS_B = 0;

layout(std430, binding = 0) buffer BC { float C[]; };
layout(std430, binding = 1) readonly buffer BA { float A[]; };
layout(std430, binding = 2) readonly buffer BB { float B[]; };
#ifdef V4
// The same bindings read as vec4s (descriptor aliasing; tensors start
// 16-byte aligned).
layout(std430, binding = 1) readonly buffer BA4 { vec4 A4[]; };
layout(std430, binding = 2) readonly buffer BB4 { vec4 B4[]; };
#endif

#ifdef SPLIT_K
layout(push_constant) uniform Push {
    uint m;
    uint n;
    uint k;
    uint kchunk;
    uint batch;
} pc;
#else
layout(push_constant) uniform Push {
    uint m;
    uint n;
    uint k;
    uint batch0;
    float alpha;
    float beta;
} pc;
#endif

uint m, n, k, kend, aoff, boff, coff, rowBase, colBase, t;

#ifdef CM_SGS
// The output mapping of the block tile for coopmat_tile.glsl's epilogue
// (cmColBase, cmRowOK, CM_ROW_STRIDE, cmStore: see there).
uint cmColBase(uint c) {
    uint gc = colBase + c;
    return gc < n ? coff + gc : 0xffffffffu;
}
bool cmRowOK(uint r) {
    return rowBase + r < m;
}
#define CM_ROW_STRIDE n
void cmStore(uint idx, float v) {
    v *= pc.alpha;
    if (pc.beta != 0.0) {
        v += pc.beta * C[idx];
    }
    C[idx] = v;
}
#include "coopmat_tile.glsl"
#endif

// The tile being staged, in registers between its global loads and its
// shared-memory stores.
#ifdef V4
#define NA4 (BM * BK / (4 * WG))
#define NB4 (BN * BK / (4 * WG))
vec4 ra[NA4];
vec4 rb[NB4];
#else
float ra[BM * BK / WG];
float rb[BN * BK / WG];
#endif

#ifdef V4
// loadTiles reads the A tile (BM x BK) and B tile (BK x BN) at k0 into
// ra / rb as vec4s along each matrix's contiguous dimension (k for A,
// m for A^T, n for B, k for B^T), zero outside; the Go side runs V4
// kernels only when those dimensions are multiples of 4, so a vec4 is
// either wholly inside or wholly outside.
void loadTiles(uint k0) {
    [[unroll]] for (uint it = 0; it < NA4; it++) {
        uint e = t + it * WG;
        uint r, kk;
        if (TRANS_A != 0) {
            kk = e / (BM / 4); r = (e % (BM / 4)) * 4u;
        } else {
            r = e / (BK / 4); kk = (e % (BK / 4)) * 4u;
        }
        uint gr = rowBase + r, gk = k0 + kk;
        vec4 v = vec4(0.0);
        if (gr < m && gk < kend) {
            v = TRANS_A != 0 ? A4[(aoff + gk * m + gr) / 4u] : A4[(aoff + gr * k + gk) / 4u];
        }
        ra[it] = v;
    }
    [[unroll]] for (uint it = 0; it < NB4; it++) {
        uint e = t + it * WG;
        uint c, kk;
        if (TRANS_B != 0) {
            c = e / (BK / 4); kk = (e % (BK / 4)) * 4u;
        } else {
            kk = e / (BN / 4); c = (e % (BN / 4)) * 4u;
        }
        uint gc = colBase + c, gk = k0 + kk;
        vec4 v = vec4(0.0);
        if (gc < n && gk < kend) {
            v = TRANS_B != 0 ? B4[(boff + gc * k + gk) / 4u] : B4[(boff + gk * n + gc) / 4u];
        }
        rb[it] = v;
    }
}

// storeTiles writes ra / rb into shared buffer buf.
void storeTiles(uint buf) {
    [[unroll]] for (uint it = 0; it < NA4; it++) {
        uint e = t + it * WG;
        if (TRANS_A != 0) {
            uint kk = e / (BM / 4), r = (e % (BM / 4)) * 4u;
            [[unroll]] for (uint j = 0; j < 4; j++) {
                STORE_A(buf, kk, r + j, ra[it][j]);
            }
        } else {
            uint r = e / (BK / 4), kk = (e % (BK / 4)) * 4u;
            [[unroll]] for (uint j = 0; j < 4; j++) {
                STORE_A(buf, kk + j, r, ra[it][j]);
            }
        }
    }
    [[unroll]] for (uint it = 0; it < NB4; it++) {
        uint e = t + it * WG;
        if (TRANS_B != 0) {
            uint c = e / (BK / 4), kk = (e % (BK / 4)) * 4u;
            [[unroll]] for (uint j = 0; j < 4; j++) {
                STORE_B(buf, kk + j, c, rb[it][j]);
            }
        } else {
            uint kk = e / (BN / 4), c = (e % (BN / 4)) * 4u;
            [[unroll]] for (uint j = 0; j < 4; j++) {
                STORE_B(buf, kk, c + j, rb[it][j]);
            }
        }
    }
}
#else
// loadTiles reads the A tile (BM x BK) and B tile (BK x BN) at k0 into
// ra / rb, zero outside; consecutive invocations read consecutive
// addresses.
void loadTiles(uint k0) {
    [[unroll]] for (uint it = 0; it < BM * BK / WG; it++) {
        uint e = t + it * WG;
        uint r, kk;
        if (TRANS_A != 0) {
            kk = e / BM; r = e % BM;
        } else {
            r = e / BK; kk = e % BK;
        }
        uint gr = rowBase + r, gk = k0 + kk;
        float v = 0.0;
        if (gr < m && gk < kend) {
            v = TRANS_A != 0 ? A[aoff + gk * m + gr] : A[aoff + gr * k + gk];
        }
        ra[it] = v;
    }
    [[unroll]] for (uint it = 0; it < BN * BK / WG; it++) {
        uint e = t + it * WG;
        uint c, kk;
        if (TRANS_B != 0) {
            c = e / BK; kk = e % BK;
        } else {
            kk = e / BN; c = e % BN;
        }
        uint gc = colBase + c, gk = k0 + kk;
        float v = 0.0;
        if (gc < n && gk < kend) {
            v = TRANS_B != 0 ? B[boff + gc * k + gk] : B[boff + gk * n + gc];
        }
        rb[it] = v;
    }
}

// storeTiles writes ra / rb into shared buffer buf.
void storeTiles(uint buf) {
    [[unroll]] for (uint it = 0; it < BM * BK / WG; it++) {
        uint e = t + it * WG;
        uint r = TRANS_A != 0 ? e % BM : e / BK;
        uint kk = TRANS_A != 0 ? e / BM : e % BK;
        STORE_A(buf, kk, r, ra[it]);
    }
    [[unroll]] for (uint it = 0; it < BN * BK / WG; it++) {
        uint e = t + it * WG;
        uint c = TRANS_B != 0 ? e / BK : e % BN;
        uint kk = TRANS_B != 0 ? e % BK : e / BN;
        STORE_B(buf, kk, c, rb[it]);
    }
}
#endif

// The second part of gemm_tile.glsl: multiplyTiles.
#include "gemm_tile.glsl"

void main() {
    m = pc.m; n = pc.n; k = pc.k;
#ifdef SPLIT_K
    uint batch = pc.batch;
    uint kbeg = gl_WorkGroupID.z * pc.kchunk;
    kend = min(k, kbeg + pc.kchunk);
    coff = gl_WorkGroupID.z * m * n;
#else
    uint batch = gl_WorkGroupID.z + pc.batch0;
    uint kbeg = 0u;
    kend = k;
    coff = batch * m * n;
#endif
    aoff = batch * m * k;
    boff = batch * k * n;
    rowBase = gl_WorkGroupID.y * BM;
    colBase = gl_WorkGroupID.x * BN;
    t = gl_LocalInvocationID.x;
    TILE_XY(t)
    TILE_ZERO
    TILE_LOOP(kbeg, kend)
#ifdef CM_SGS
    cmEpilogue();
#else
    [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
        [[unroll]] for (uint ii = 0; ii < 4; ii++) {
            uint r = rowBase + 4u * (ty + TY * i4) + ii;
            if (r >= m) {
                continue;
            }
            [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
                [[unroll]] for (uint jj = 0; jj < 4; jj++) {
                    uint c = colBase + 4u * (tx + TX * j4) + jj;
                    if (c >= n) {
                        continue;
                    }
                    uint idx = coff + r * n + c;
#ifdef SPLIT_K
                    C[idx] = acc[4 * i4 + ii][j4][jj];
#else
                    float v = pc.alpha * acc[4 * i4 + ii][j4][jj];
                    if (pc.beta != 0.0) {
                        v += pc.beta * C[idx];
                    }
                    C[idx] = v;
#endif
                }
            }
        }
    }
#endif
}
