#version 450
// ntxent_backward_tiled.comp: pass 2 of the fused NT-Xent for GPUs, same
// results as ntxent_backward (engine/vulkan/ntxent.go picks it on devices
// that are not CPUs, for d <= 16*DJ). A workgroup owns BM rows and streams
// the columns of part q = part0 + gl_WorkGroupID.y in tiles of BN: each tile
// of s is computed through shared memory as in ntxent_forward_tiled, turned
// into weights w_ik = p_ik + p_ki (p_ik = exp(s_ik - lse_i),
// p_ki = exp(s_ik - lse_k); 0 for k = i or past the part) stored in Ws, and
// then every invocation adds sum_k w_ik z_k for its TM rows and its DJ
// dimensions j = tx + (BN/TN)*jj into registers, the columns in order
// (deterministic). At the end the rows are written to gpart[q] (or, with
// SEQUENTIAL, written by part 0 and added to by the later ones, dispatched
// one after the other). ntxent_backward_finish then forms
// dz = scale*(sum_q acc - 2 z_pos). The rows x rows matrix is never stored.
//
// Bindings (storage buffers, set 0):
//   0: gpart (rows*d floats per parallel part, written: gpart[(q*rows + i)*d + j];
//      dz itself with SEQUENTIAL or a single part)
//   1: z     (rows*d floats, read)
//   2: lse   (rows floats, read: from ntxent_loss)
// Specialization constants: 0 BM, 1 BN, 2 BK, 3 TM, 4 TN, 5 WG (as
// ntxent_forward_tiled), 6 DJ (dimensions per invocation: d <= (BN/TN)*DJ),
// 7 SEQUENTIAL (0/1).
// Layout: local_size_x = WG; tx = t % (BN/TN), ty = t / (BN/TN).
// Dispatch grid: (ceil(rows/BM), parallel parts or 1, 1).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; nHalf, parts and scale unused here).
// CPU reference: cpu.NTXentForwardBackward (dz).

#include "ntxent_tiled.glsl"
layout(constant_id = 6) const uint DJ = 8;
layout(constant_id = 7) const uint SEQUENTIAL = 0;

layout(std430, binding = 0) buffer B0 { float gpart[]; };
layout(std430, binding = 1) readonly buffer B1 { float z[]; };
layout(std430, binding = 2) readonly buffer B2 { float lse[]; };

#include "ntxent_push.glsl"

shared float Ws[BM * (BN + 1u)];

void main() {
    uint rows = pc.rows, d = pc.d;
    uint t = gl_LocalInvocationID.x;
    uint tx = t % NX, ty = t / NX;
    uint rowBase = gl_WorkGroupID.x * BM;
    uint q = gl_WorkGroupID.y + pc.part0;
    uint c0 = q * pc.chunk;
    uint c1 = min(c0 + pc.chunk, rows);
    uint ri[TM];
    float li[TM];
    for (uint r = 0u; r < TM; r++) {
        ri[r] = rowBase + ty * TM + r;
        li[r] = lse[min(ri[r], rows - 1u)];
    }
    float acc[TM][DJ];
    for (uint r = 0u; r < TM; r++) {
        for (uint jj = 0u; jj < DJ; jj++) {
            acc[r][jj] = 0.0;
        }
    }
    for (uint colBase = c0; colBase < c1; colBase += BN) {
        #include "ntxent_score_tile.glsl"
        // Weights into Ws (the previous tile's readers are past the
        // barriers above).
        for (uint c = 0u; c < TN; c++) {
            uint k = colBase + tx * TN + c;
            float lk = lse[min(k, rows - 1u)];
            for (uint r = 0u; r < TM; r++) {
                float sv = s[r][c] * pc.invTau;
                float w = (k < c1 && k != ri[r]) ? exp(sv - li[r]) + exp(sv - lk) : 0.0;
                Ws[(ty * TM + r) * (BN + 1u) + tx * TN + c] = w;
            }
        }
        barrier();
        uint ncol = min(BN, c1 - colBase);
        for (uint c = 0u; c < ncol; c++) {
            uint zb = (colBase + c) * d;
            float wr[TM];
            for (uint r = 0u; r < TM; r++) {
                wr[r] = Ws[(ty * TM + r) * (BN + 1u) + c];
            }
            for (uint jj = 0u; jj < DJ; jj++) {
                uint j = tx + NX * jj;
                float b = j < d ? z[zb + j] : 0.0;
                for (uint r = 0u; r < TM; r++) {
                    acc[r][jj] = fma(wr[r], b, acc[r][jj]);
                }
            }
        }
    }
    uint gbase = SEQUENTIAL != 0u ? 0u : q * rows * d;
    for (uint r = 0u; r < TM; r++) {
        if (ri[r] < rows) {
            for (uint jj = 0u; jj < DJ; jj++) {
                uint j = tx + NX * jj;
                if (j < d) {
                    uint o = gbase + ri[r] * d + j;
                    gpart[o] = (SEQUENTIAL != 0u && q != 0u) ? gpart[o] + acc[r][jj] : acc[r][jj];
                }
            }
        }
    }
}
