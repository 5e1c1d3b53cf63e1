#version 450
#extension GL_EXT_control_flow_attributes : require
// ntxent_forward_gemm.comp: pass 1 of the fused NT-Xent for GPUs with
// d <= 128 (engine/vulkan/ntxent.go), same results and output layout as
// ntxent_forward / ntxent_forward_tiled. A workgroup of 256 invocations
// owns BM = 128 rows and streams the columns of its part p ([p*chunk,
// min((p+1)*chunk, rows)), chunk a multiple of BN) in tiles of BN = 128:
// each tile of z z^T comes from the GEMM core of ntxent_tile.glsl (8 x 8
// logits per invocation, the layout of gemm_tiled's 128x128 kernels), is
// scaled by 1/tau and folded into the invocation's running max m,
// sum exp(s - m), positive logit and largest negative of each of its 8
// rows (no per-tile reduction). At the end the 16 invocations sharing a row
// merge their statistics through shared memory, in a fixed order
// (deterministic). The rows x rows matrix is never stored.
//
// Bindings (storage buffers, set 0):
//   0: part (parts*rows*4 floats, written: part[(p*rows + i)*4 + {0,1,2,3}] =
//      m, sum, positive logit, largest negative logit; -FLT_MAX for none)
//   1: z    (rows*d floats, read; unit rows; also read as vec4s when VEC4)
// Variant 128_db: double-buffered tiles (16896 bytes of shared memory) plus
// 4096 for the merge; every device that fits pass 2 (25088 bytes at the
// least) fits it, so there is no single-buffered variant.
// variant: 128_db -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DNBUF=2
// Specialization constants: 0 VEC4 (1 when d is a multiple of 4).
// Layout: local_size_x = 256; tx = t % 16, ty = t / 16 (ntxent_tile.glsl).
// Dispatch grid: (ceil(rows/128), parts, 1).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; part0 and scale unused here).
// CPU reference: cpu.NTXentForwardBackward (with ntxent_loss: lse, loss, top1).

layout(constant_id = 0) const uint VEC4 = 0;

layout(std430, binding = 0) writeonly buffer B0 { float part[]; };
layout(std430, binding = 1) readonly buffer B1 { float z[]; };
layout(std430, binding = 1) readonly buffer B1v { vec4 z4[]; };

#include "ntxent_push.glsl"

uint rows, dim, rowBase, colBase, t;

#include "ntxent_tile.glsl"

layout(local_size_x = WG) in;

const float NONE = -3.402823466e38;

shared float red[4 * WG];

void main() {
    rows = pc.rows;
    dim = pc.d;
    t = gl_LocalInvocationID.x;
    uint tx = t % TX, ty = t / TX;
    rowBase = gl_WorkGroupID.x * BM;
    uint p = gl_WorkGroupID.y;
    uint c0 = p * pc.chunk;
    uint c1 = min(c0 + pc.chunk, rows);
    uint ri[TM];
    uint pos[TM];
    float m[TM];
    float sum[TM];
    float sp[TM];
    float neg[TM];
    [[unroll]] for (uint i = 0u; i < TM; i++) {
        ri[i] = rowBase + ntxentRow(ty, i);
        uint r = min(ri[i], rows - 1u);
        pos[i] = r < pc.nHalf ? r + pc.nHalf : r - pc.nHalf;
        m[i] = NONE;
        sum[i] = 0.0;
        sp[i] = NONE;
        neg[i] = NONE;
    }
    for (colBase = c0; colBase < c1; colBase += BN) {
        tileProduct(c1, tx, ty);
        [[unroll]] for (uint i = 0u; i < TM; i++) {
            float tm = NONE;
            [[unroll]] for (uint j4 = 0u; j4 < TN / 4u; j4++) {
                [[unroll]] for (uint jj = 0u; jj < 4u; jj++) {
                    uint k = colBase + ntxentCol(tx, j4, jj);
                    float s = acc[i][j4][jj] * pc.invTau;
                    acc[i][j4][jj] = s;
                    if (k < c1 && k != ri[i]) {
                        tm = max(tm, s);
                        if (k == pos[i]) {
                            sp[i] = s;
                        } else {
                            neg[i] = max(neg[i], s);
                        }
                    }
                }
            }
            if (tm > m[i]) {
                sum[i] *= exp(m[i] - tm);
                m[i] = tm;
            }
            [[unroll]] for (uint j4 = 0u; j4 < TN / 4u; j4++) {
                [[unroll]] for (uint jj = 0u; jj < 4u; jj++) {
                    uint k = colBase + ntxentCol(tx, j4, jj);
                    if (k < c1 && k != ri[i]) {
                        sum[i] += exp(acc[i][j4][jj] - m[i]);
                    }
                }
            }
        }
    }
    // Merge the TX invocations of each row (tx = 0..TX-1 in order), one
    // register row i at a time through red.
    [[unroll]] for (uint i = 0u; i < TM; i++) {
        red[t * 4u] = m[i];
        red[t * 4u + 1u] = sum[i];
        red[t * 4u + 2u] = sp[i];
        red[t * 4u + 3u] = neg[i];
        barrier();
        if (t < TY) {
            uint row = rowBase + ntxentRow(t, i);
            uint b = t * TX * 4u;
            #define NTXENT_MERGE_N TX
            #include "ntxent_row_merge.glsl"
        }
        barrier();
    }
}
