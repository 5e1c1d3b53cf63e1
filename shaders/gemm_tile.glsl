// gemm_tile.glsl: the block tile shared by gemm_tiled.comp and the
// implicit GEMMs conv2d_<pass>_tiled.comp (tools/shadergen hashes it into
// their manifest entries): the shared-memory tiles, the register blocking,
// the k loop (single- or double-buffered) and the multiply-adds; the
// including shader keeps only its operand gather and its epilogue.
//
// A shader includes it twice: right after #version (extensions, local
// size, tiles, macros), and again after its own functions, before main
// (multiplyTiles). The k loop and the set-up are macros expanded in main,
// and the functions keep their order, so the SPIR-V is the same as when
// every shader spelled them out (tools/spirvcmp.sh checks it).
//
// The including shader defines:
//   TILE_B_PAD (before the first include): 1 to pad each B tile row by one
//     vec4 (where its B stores are transposed and would hit one bank), 0
//     not to.
//   void loadTiles(uint k0): the global loads of the A tile (BM x BK,
//     rows rowBase..) and B tile (BK x BN) at reduction index k0 into
//     registers, zero outside; called for k0 = kbeg, kbeg + BK, ... in
//     that order.
//   void storeTiles(uint buf): those registers into shared buffer buf with
//     STORE_A(buf, kk, r, v) (op(A)[rowBase + r, k0 + kk] = v) and
//     STORE_B(buf, kk, c, v) (op(B)[k0 + kk, colBase + c] = v).
//   Cooperative-matrix variants (CM_SGS defined): its output mapping and
//     #include "coopmat_tile.glsl" (which see), before loadTiles.
// Its main runs TILE_XY(t) (declares tx, ty of invocation t), TILE_ZERO,
// TILE_LOOP(kbeg, kend), then writes acc (float32: invocation (ty, tx)
// holds rows 4*(ty + TY*i4) + ii and columns 4*(tx + TX*j4) + jj of the
// block in acc[4*i4 + ii][j4][jj], i4 < TM/4, j4 < TN/4) or calls
// cmEpilogue().
//
// Compile-time parameters (the variant line): block tile BM x BN, depth BK;
// float32 variants: TM x TN outputs per invocation, so WG = (BM/TM)*(BN/TN)
// invocations; cooperative-matrix variants (CM_SGS defined): CM_F, CM_SGS,
// CM_WM, CM_WN (coopmat_tile.glsl). Loops are fully unrolled, so the
// accumulators stay in registers.
// Double-buffered variants (DB defined): two shared-memory buffers; the
// next tile's global loads are issued into registers before the current
// tile's multiply-adds and stored into the other buffer after them, so
// global latency hides behind arithmetic and each k step has one barrier()
// instead of two (twice the shared memory).
// Shared memory (float32): (BM + 4 + BN + 4*TILE_B_PAD)*BK floats per
// buffer (A rows padded by one vec4: the transposed stores of the A tile
// hit distinct banks).

#ifndef GEMM_TILE_DECLARED
#define GEMM_TILE_DECLARED
#extension GL_EXT_control_flow_attributes : require
#ifdef CM_SGS
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#endif

#ifdef CM_SGS
#define WG (((BM / CM_WM) * (BN / CM_WN)) * CM_SGS)
#define STORE_A(buf, kk, r, v) CM_STORE_A(buf, kk, r, v)
#define STORE_B(buf, kk, c, v) CM_STORE_B(buf, kk, c, v)
#define MULTIPLY(buf) cmMultiply(buf)
#else
#define TX (BN / TN)
#define TY (BM / TM)
#define WG (TX * TY)
#endif

layout(local_size_x = WG) in;

#ifndef CM_SGS
#ifdef DB
#define NBUF 2
#else
#define NBUF 1
#endif
// As[buf][kk][r/4][r%4] = op(A)[rowBase + r, k0 + kk],
// Bs[buf][kk][c/4][c%4] = op(B)[k0 + kk, colBase + c].
shared vec4 As[NBUF][BK][BM / 4 + 1];
shared vec4 Bs[NBUF][BK][BN / 4 + TILE_B_PAD];
#define STORE_A(buf, kk, r, v) As[buf][kk][(r) / 4u][(r) % 4u] = (v)
#define STORE_B(buf, kk, c, v) Bs[buf][kk][(c) / 4u][(c) % 4u] = (v)
vec4 acc[TM][TN / 4];

#define MULTIPLY(buf) multiplyTiles(buf, tx, ty)
#endif

// TILE_XY(t) declares tx, ty: invocation t's place in the block. Then
// TILE_ZERO clears the accumulators (statement lists, for main).
#ifdef CM_SGS
#define TILE_XY(t)
#define TILE_ZERO cmZero();
#else
#define TILE_XY(t) \
    uint tx = (t) % TX; \
    uint ty = (t) / TX;
#define TILE_ZERO \
    [[unroll]] for (uint i = 0; i < TM; i++) { \
        [[unroll]] for (uint j = 0; j < TN / 4; j++) { \
            acc[i][j] = vec4(0.0); \
        } \
    }
#endif

// TILE_LOOP(kbeg, kend) (a statement list, for main) accumulates the
// block's products over reduction indices [kbeg, kend), BK at a time.
#ifdef DB
#define TILE_LOOP(kbeg, kend) \
    if (kbeg < kend) { \
        loadTiles(kbeg); \
        storeTiles(0u); \
    } \
    barrier(); \
    uint buf = 0u; \
    for (uint k0 = kbeg; k0 < kend; k0 += BK) { \
        bool more = k0 + BK < kend; \
        if (more) { \
            loadTiles(k0 + BK); \
        } \
        MULTIPLY(buf); \
        if (more) { \
            storeTiles(buf ^ 1u); \
        } \
        barrier(); \
        buf ^= 1u; \
    }
#else
#define TILE_LOOP(kbeg, kend) \
    for (uint k0 = kbeg; k0 < kend; k0 += BK) { \
        loadTiles(k0); \
        storeTiles(0u); \
        barrier(); \
        MULTIPLY(0u); \
        barrier(); \
    }
#endif

#else // the second include: functions

#ifndef CM_SGS
// multiplyTiles adds shared buffer buf's product to acc.
void multiplyTiles(uint buf, uint tx, uint ty) {
    [[unroll]] for (uint kk = 0; kk < BK; kk++) {
        vec4 a[TM / 4];
        vec4 b[TN / 4];
        [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
            a[i4] = As[buf][kk][ty + TY * i4];
        }
        [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
            b[j4] = Bs[buf][kk][tx + TX * j4];
        }
        [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
            [[unroll]] for (uint ii = 0; ii < 4; ii++) {
                [[unroll]] for (uint j4 = 0; j4 < TN / 4; j4++) {
                    acc[4 * i4 + ii][j4] = fma(vec4(a[i4][ii]), b[j4], acc[4 * i4 + ii][j4]);
                }
            }
        }
    }
}
#endif

#endif
