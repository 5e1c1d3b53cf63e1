#version 450
// ntxent_forward.comp: pass 1 of the fused NT-Xent (engine/vulkan/ntxent.go).
// The 2N x 2N similarity matrix s = z z^T / tau is never stored: each
// invocation owns TR rows of z and streams the columns of its part p
// ([p*chunk, min((p+1)*chunk, rows))) in register blocks of TC columns,
// computing the TR x TC dot products over d in registers (no shared memory,
// no barrier: the shape that suits lavapipe; GPUs get parallelism from the
// parts). Per row i it keeps a running maximum m and sum = sum exp(s_ik - m)
// over the columns k != i of its part (online log-sum-exp), the positive
// logit s_i,pos(i) (pos(i) = (i + nHalf) mod rows) if the positive lies in the
// part, and the largest negative logit (k != i, pos(i)). -FLT_MAX stands for
// "none".
//
// Bindings (storage buffers, set 0):
//   0: part (parts*rows*4 floats, written: part[(p*rows + i)*4 + {0,1,2,3}] =
//      m, sum, positive logit, largest negative logit)
//   1: z    (rows*d floats, read; unit rows)
// Specialization constants: 0 WG (local size x), 1 TR (rows per invocation),
// 2 TC (columns per register block).
// Layout: local_size_x = WG; invocation x of workgroup (X, p) owns rows
// (X*WG + x)*TR + [0, TR) for part p.
// Dispatch grid: (ceil(rows/(WG*TR)), parts, 1).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; part0 and scale unused here).
// engine/vulkan bounds chunk*d on devices with a loop budget (lavapipe:
// 65535 loop iterations per invocation in total).
// CPU reference: cpu.NTXentForwardBackward (with ntxent_loss: lse, loss, top1).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;
layout(constant_id = 1) const uint TR = 4;
layout(constant_id = 2) const uint TC = 4;

layout(std430, binding = 0) writeonly buffer B0 { float part[]; };
layout(std430, binding = 1) readonly buffer B1 { float z[]; };

#include "ntxent_push.glsl"

const float NONE = -3.402823466e38;

void main() {
    uint rows = pc.rows, d = pc.d;
    uint row0 = (gl_WorkGroupID.x * WG + gl_LocalInvocationID.x) * TR;
    uint p = gl_WorkGroupID.y;
    if (row0 >= rows) {
        return;
    }
    uint c0 = p * pc.chunk;
    uint c1 = min(c0 + pc.chunk, rows);
    uint ri[TR];
    uint pos[TR];
    float m[TR];
    float sum[TR];
    float sp[TR];
    float neg[TR];
    for (uint r = 0u; r < TR; r++) {
        ri[r] = min(row0 + r, rows - 1u);
        pos[r] = ri[r] < pc.nHalf ? ri[r] + pc.nHalf : ri[r] - pc.nHalf;
        m[r] = NONE;
        sum[r] = 0.0;
        sp[r] = NONE;
        neg[r] = NONE;
    }
    for (uint k0 = c0; k0 < c1; k0 += TC) {
        uint kc[TC];
        for (uint c = 0u; c < TC; c++) {
            kc[c] = min(k0 + c, c1 - 1u);
        }
        #include "ntxent_score_regs.glsl"
        #define NTXENT_ROWS TR
        #define NTXENT_COLS TC
        #define NTXENT_COL(c) k0 + c
        #include "ntxent_row_stats.glsl"
    }
    for (uint r = 0u; r < TR; r++) {
        if (row0 + r < rows) {
            uint o = (p * rows + row0 + r) * 4u;
            part[o] = m[r];
            part[o + 1u] = sum[r];
            part[o + 2u] = sp[r];
            part[o + 3u] = neg[r];
        }
    }
}
