#version 450
// ntxent_backward.comp: pass 2 of the fused NT-Xent (engine/vulkan/ntxent.go).
// Streams the similarity tiles again (as ntxent_forward: TR rows per
// invocation, register blocks of TC columns of part q, dot products over d in
// registers, no shared memory, nothing of size rows x rows stored; the
// columns are taken CB blocks at a time) and
// accumulates, for each owned row i,
//   acc_i = sum_{k in part q, k != i} (p_ik + p_ki) z_k,
//   p_ik = exp(s_ik - lse_i),  p_ki = exp(s_ik - lse_k)   (s is symmetric)
// in column order (deterministic). Part q = part0 + gl_WorkGroupID.y covers
// columns [q*chunk, min((q+1)*chunk, rows)). Without SEQUENTIAL the parts
// run in parallel, each into its own slice gpart[q] (rows x d), and
// ntxent_backward_finish adds them; with SEQUENTIAL (devices with a loop
// budget such as lavapipe, whose invocations stop looping after 65535
// iterations in total) engine/vulkan dispatches the parts one after the
// other, part 0 overwriting gpart (= dz) and the others adding to it.
// ntxent_backward_finish then forms dz = scale*(acc - 2 z_pos).
//
// Bindings (storage buffers, set 0):
//   0: gpart (rows*d floats per parallel part, written: gpart[(q*rows + i)*d + j];
//      dz itself with SEQUENTIAL or a single part)
//   1: z     (rows*d floats, read)
//   2: lse   (rows floats, read: from ntxent_loss)
// Specialization constants: 0 WG (local size x), 1 TR (rows per invocation),
// 2 TC (columns per register block), 3 SEQUENTIAL (0/1), 4 CB (register
// blocks whose weights are kept before the accumulation: each step reads
// TC*CB rows of z per dimension and updates gpart once).
// Layout: local_size_x = WG; invocation x of workgroup (X, y) owns rows
// (X*WG + x)*TR + [0, TR) for part part0 + y.
// Dispatch grid: (ceil(rows/(WG*TR)), parallel parts or 1, 1).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; nHalf, parts and scale unused here).
// CPU reference: cpu.NTXentForwardBackward (dz).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;
layout(constant_id = 1) const uint TR = 4;
layout(constant_id = 2) const uint TC = 4;
layout(constant_id = 3) const uint SEQUENTIAL = 0;
layout(constant_id = 4) const uint CB = 4;

layout(std430, binding = 0) buffer B0 { float gpart[]; };
layout(std430, binding = 1) readonly buffer B1 { float z[]; };
layout(std430, binding = 2) readonly buffer B2 { float lse[]; };

#include "ntxent_push.glsl"

void main() {
    uint rows = pc.rows, d = pc.d;
    uint row0 = (gl_WorkGroupID.x * WG + gl_LocalInvocationID.x) * TR;
    uint q = gl_WorkGroupID.y + pc.part0;
    if (row0 >= rows) {
        return;
    }
    uint c0 = q * pc.chunk;
    uint c1 = min(c0 + pc.chunk, rows);
    uint ri[TR];
    float li[TR];
    bool own[TR];
    for (uint r = 0u; r < TR; r++) {
        ri[r] = min(row0 + r, rows - 1u);
        li[r] = lse[ri[r]];
        own[r] = row0 + r < rows;
    }
    uint gbase = SEQUENTIAL != 0u ? 0u : q * rows * d;
    for (uint r = 0u; r < TR; r++) {
        if (own[r] && (SEQUENTIAL == 0u || q == 0u)) {
            for (uint j = 0u; j < d; j++) {
                gpart[gbase + ri[r] * d + j] = 0.0;
            }
        }
    }
    for (uint k0 = c0; k0 < c1; k0 += TC * CB) {
        // Weights of TC*CB columns, CB register blocks of TC.
        float w[TR][TC * CB];
        for (uint cb = 0u; cb < CB; cb++) {
            uint kb = k0 + cb * TC;
            uint kc[TC];
            float lk[TC];
            for (uint c = 0u; c < TC; c++) {
                kc[c] = min(kb + c, c1 - 1u);
                lk[c] = lse[kc[c]];
            }
            #include "ntxent_score_regs.glsl"
            for (uint r = 0u; r < TR; r++) {
                for (uint c = 0u; c < TC; c++) {
                    uint k = kb + c;
                    float sv = s[r][c] * pc.invTau;
                    w[r][cb * TC + c] = (k < c1 && k != ri[r]) ? exp(sv - li[r]) + exp(sv - lk[c]) : 0.0;
                }
            }
        }
        // acc_i += sum over the TC*CB columns of w_ik z_k, one dimension at a time.
        for (uint j = 0u; j < d; j++) {
            float v[TR];
            for (uint r = 0u; r < TR; r++) {
                v[r] = 0.0;
            }
            for (uint c = 0u; c < TC * CB; c++) {
                float b = z[min(k0 + c, c1 - 1u) * d + j];
                for (uint r = 0u; r < TR; r++) {
                    v[r] = fma(w[r][c], b, v[r]);
                }
            }
            for (uint r = 0u; r < TR; r++) {
                if (own[r]) {
                    gpart[gbase + ri[r] * d + j] += v[r];
                }
            }
        }
    }
}
