#version 450
// ntxent_forward_tiled.comp: pass 1 of the fused NT-Xent for GPUs, same
// results and output layout as ntxent_forward (engine/vulkan/ntxent.go picks
// it on devices that are not CPUs). A workgroup of (BN/TN) x (BM/TM)
// invocations owns BM rows and streams the columns of its part p
// ([p*chunk, min((p+1)*chunk, rows))) in tiles of BN; each tile of
// s = z z^T / tau is computed through shared memory, BK dimensions at a time
// (As, Bs), each invocation holding TM x TN logits in registers. Every
// invocation keeps its own running max m, sum exp(s - m), positive logit and
// largest negative for its TM rows over its TN columns of each tile (no
// per-tile reduction); at the end the BN/TN invocations sharing a row merge
// their statistics through shared memory, in a fixed order. The rows x rows
// matrix is never stored.
//
// Bindings (storage buffers, set 0):
//   0: part (parts*rows*4 floats, written: part[(p*rows + i)*4 + {0,1,2,3}] =
//      m, sum, positive logit, largest negative logit; -FLT_MAX for none)
//   1: z    (rows*d floats, read; unit rows)
// Specialization constants: 0 BM, 1 BN (rows, columns per tile), 2 BK (depth
// of a shared-memory step), 3 TM, 4 TN (logits per invocation), 5 WG =
// (BM/TM)*(BN/TN) (local size x).
// Layout: local_size_x = WG; invocation t has tx = t % (BN/TN) (columns
// tx*TN + [0, TN) of each tile) and ty = t / (BN/TN) (rows ty*TM + [0, TM)).
// Dispatch grid: (ceil(rows/BM), parts, 1).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; part0 and scale unused here).
// CPU reference: cpu.NTXentForwardBackward (with ntxent_loss: lse, loss, top1).

#include "ntxent_tiled.glsl"

layout(std430, binding = 0) writeonly buffer B0 { float part[]; };
layout(std430, binding = 1) readonly buffer B1 { float z[]; };

#include "ntxent_push.glsl"

const float NONE = -3.402823466e38;

shared float red[4u * WG * TM];

void main() {
    uint rows = pc.rows, d = pc.d;
    uint t = gl_LocalInvocationID.x;
    uint tx = t % NX, ty = t / NX;
    uint rowBase = gl_WorkGroupID.x * BM;
    uint p = gl_WorkGroupID.y;
    uint c0 = p * pc.chunk;
    uint c1 = min(c0 + pc.chunk, rows);
    uint ri[TM];
    uint pos[TM];
    float m[TM];
    float sum[TM];
    float sp[TM];
    float neg[TM];
    for (uint r = 0u; r < TM; r++) {
        ri[r] = rowBase + ty * TM + r;
        uint i = min(ri[r], rows - 1u);
        pos[r] = i < pc.nHalf ? i + pc.nHalf : i - pc.nHalf;
        m[r] = NONE;
        sum[r] = 0.0;
        sp[r] = NONE;
        neg[r] = NONE;
    }
    for (uint colBase = c0; colBase < c1; colBase += BN) {
        #include "ntxent_score_tile.glsl"
        #define NTXENT_ROWS TM
        #define NTXENT_COLS TN
        #define NTXENT_COL(c) colBase + tx * TN + c
        #include "ntxent_row_stats.glsl"
    }
    // Merge the NX invocations of each row (tx = 0..NX-1 in order).
    for (uint r = 0u; r < TM; r++) {
        uint o = ((ty * TM + r) * NX + tx) * 4u;
        red[o] = m[r];
        red[o + 1u] = sum[r];
        red[o + 2u] = sp[r];
        red[o + 3u] = neg[r];
    }
    barrier();
    if (t < BM) {
        uint row = rowBase + t;
        uint b = t * NX * 4u;
        #define NTXENT_MERGE_N NX
        #include "ntxent_row_merge.glsl"
    }
}
