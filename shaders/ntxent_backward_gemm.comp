#version 450
#extension GL_EXT_control_flow_attributes : require
// ntxent_backward_gemm.comp: pass 2 of the fused NT-Xent for GPUs with
// d <= 128 (engine/vulkan/ntxent.go), same results as ntxent_backward /
// ntxent_backward_tiled. A workgroup of 256 invocations owns BM = 128 rows
// and streams the columns of part q = part0 + gl_WorkGroupID.y in tiles of
// BN = 128. Per tile:
//  1. s = z_rows z_cols^T through the GEMM core of ntxent_tile.glsl (8 x 8
//     logits per invocation), turned in registers into the weights
//     w_ik = p_ik + p_ki (p_ik = exp(s_ik/tau - lse_i), p_ki =
//     exp(s_ik/tau - lse_k); 0 for k = i or past the part);
//  2. in slices of SL columns: the weights go to shared memory (Ws, rows
//     contiguous) and the slice's rows of z to Zs, and every invocation
//     adds w z for its 8 rows (those of its logits) and 8 dimensions
//     j = 4*(tx + 16*j4) + jj into registers: a second 128 x 128 x SL
//     product at the same 8 x 8 register blocking, the columns in order
//     (deterministic).
// At the end the rows are written to gpart[q] (or, with SEQUENTIAL, written
// by part 0 and added to by the later ones, dispatched one after the
// other). ntxent_backward_finish then forms dz = scale*(sum_q acc - 2 z_pos).
// The rows x rows matrix is never stored.
//
// Bindings (storage buffers, set 0):
//   0: gpart (rows*d floats per parallel part, written: gpart[(q*rows + i)*d + j];
//      dz itself with SEQUENTIAL or a single part)
//   1: z     (rows*d floats, read; also read as vec4s when VEC4)
//   2: lse   (rows floats, read: from ntxent_loss)
// Variants (slice width SL; shared memory: tiles 8448 bytes, Ws SL*528,
// Zs SL*512): s16 (25088 bytes, fits lavapipe's 32 KiB), s32 (41728).
// variant: s16 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DNBUF=1 -DSL=16
// variant: s32 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DNBUF=1 -DSL=32
// Specialization constants: 0 VEC4 (1 when d is a multiple of 4), 1
// SEQUENTIAL (0/1).
// Layout: local_size_x = 256; tx = t % 16, ty = t / 16 (ntxent_tile.glsl).
// Dispatch grid: (ceil(rows/128), parallel parts or 1, 1).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; nHalf, parts and scale unused here).
// CPU reference: cpu.NTXentForwardBackward (dz).

layout(constant_id = 0) const uint VEC4 = 0;
layout(constant_id = 1) const uint SEQUENTIAL = 0;

layout(std430, binding = 0) buffer B0 { float gpart[]; };
layout(std430, binding = 1) readonly buffer B1 { float z[]; };
layout(std430, binding = 1) readonly buffer B1v { vec4 z4[]; };
layout(std430, binding = 2) readonly buffer B2 { float lse[]; };

#include "ntxent_push.glsl"

uint rows, dim, rowBase, colBase, t;

#include "ntxent_tile.glsl"

layout(local_size_x = WG) in;

#define DMAX 128               // largest d: 4 * TX * DJ4
#define DJ4 (DMAX / (4 * TX))  // vec4s of dimensions per invocation

shared vec4 Ws[SL][BM / 4 + 1]; // Ws[c][r/4][r%4] = w(rowBase + r, slice column c)
shared vec4 Zs[SL][DMAX / 4];   // Zs[c][j/4][j%4] = z[slice column c, j]

void main() {
    rows = pc.rows;
    dim = pc.d;
    t = gl_LocalInvocationID.x;
    uint tx = t % TX, ty = t / TX;
    rowBase = gl_WorkGroupID.x * BM;
    uint q = gl_WorkGroupID.y + pc.part0;
    uint c0 = q * pc.chunk;
    uint c1 = min(c0 + pc.chunk, rows);
    uint ri[TM];
    float li[TM];
    vec4 dacc[TM][DJ4];
    [[unroll]] for (uint i = 0u; i < TM; i++) {
        ri[i] = rowBase + ntxentRow(ty, i);
        li[i] = lse[min(ri[i], rows - 1u)];
        [[unroll]] for (uint j4 = 0u; j4 < DJ4; j4++) {
            dacc[i][j4] = vec4(0.0);
        }
    }
    for (colBase = c0; colBase < c1; colBase += BN) {
        tileProduct(c1, tx, ty);
        [[unroll]] for (uint j4 = 0u; j4 < TN / 4u; j4++) {
            [[unroll]] for (uint jj = 0u; jj < 4u; jj++) {
                uint k = colBase + ntxentCol(tx, j4, jj);
                float lk = lse[min(k, rows - 1u)];
                [[unroll]] for (uint i = 0u; i < TM; i++) {
                    float s = acc[i][j4][jj] * pc.invTau;
                    acc[i][j4][jj] = (k < c1 && k != ri[i]) ? exp(s - li[i]) + exp(s - lk) : 0.0;
                }
            }
        }
        // Tile column c = 4*(tx + TX*j4) + jj: slice sl holds the columns
        // [sl*SL, (sl+1)*SL), i.e. j4 = sl*SL / (4*TX) and the invocations
        // tx in [tx0, tx0 + SL/4).
        [[unroll]] for (uint sl = 0u; sl < BN / SL; sl++) {
            uint j4 = (sl * SL) / (4u * TX);
            uint tx0 = ((sl * SL) % (4u * TX)) / 4u;
            if (tx >= tx0 && tx < tx0 + SL / 4u) {
                [[unroll]] for (uint jj = 0u; jj < 4u; jj++) {
                    uint c = 4u * (tx - tx0) + jj;
                    [[unroll]] for (uint i = 0u; i < TM; i++) {
                        uint r = ntxentRow(ty, i);
                        Ws[c][r / 4u][r % 4u] = acc[i][j4][jj];
                    }
                }
            }
            [[unroll]] for (uint it = 0u; it < SL * DMAX / (4u * WG); it++) {
                uint e = t + it * WG;
                uint c = e / (DMAX / 4u), jv = e % (DMAX / 4u);
                Zs[c][jv] = loadZ4(colBase + sl * SL + c, c1, 4u * jv);
            }
            barrier();
            for (uint c = 0u; c < SL; c++) {
                vec4 w[TM / 4];
                vec4 b[DJ4];
                [[unroll]] for (uint i4 = 0u; i4 < TM / 4u; i4++) {
                    w[i4] = Ws[c][ty + TY * i4];
                }
                [[unroll]] for (uint j4 = 0u; j4 < DJ4; j4++) {
                    b[j4] = Zs[c][tx + TX * j4];
                }
                [[unroll]] for (uint i4 = 0u; i4 < TM / 4u; i4++) {
                    [[unroll]] for (uint ii = 0u; ii < 4u; ii++) {
                        [[unroll]] for (uint j4 = 0u; j4 < DJ4; j4++) {
                            dacc[4u * i4 + ii][j4] = fma(vec4(w[i4][ii]), b[j4], dacc[4u * i4 + ii][j4]);
                        }
                    }
                }
            }
            barrier();
        }
    }
    uint gbase = SEQUENTIAL != 0u ? 0u : q * rows * dim;
    [[unroll]] for (uint i = 0u; i < TM; i++) {
        if (ri[i] < rows) {
            [[unroll]] for (uint j4 = 0u; j4 < DJ4; j4++) {
                [[unroll]] for (uint jj = 0u; jj < 4u; jj++) {
                    uint j = 4u * (tx + TX * j4) + jj;
                    if (j < dim) {
                        uint o = gbase + ri[i] * dim + j;
                        gpart[o] = (SEQUENTIAL != 0u && q != 0u) ? gpart[o] + dacc[i][j4][jj] : dacc[i][j4][jj];
                    }
                }
            }
        }
    }
}
