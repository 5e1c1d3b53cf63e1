#version 450
// ntxent_loss.comp: merges the per-part row statistics of ntxent_forward (or
// ntxent_forward_unfused, parts = 1) and reduces loss and top-1 in a fixed
// order (one workgroup; invocation t handles rows t, t+LOCAL, ..., then a
// shared-memory tree; no atomics). Per row i, over the parts p in order:
//   M = max_p m_p,  lse_i = M + log(sum_p sum_p * exp(m_p - M)),
//   spos = max_p positive_p (one part holds it), nmax = max_p negative_p,
//   loss_i = lse_i - spos,  top_i = spos >= nmax.
//   out = [sum_i loss_i / rows, sum_i top_i / rows].
//
// Bindings (storage buffers, set 0):
//   0: out  (2 floats, written: loss, top1)
//   1: lse  (rows floats, written: for ntxent_backward)
//   2: part (parts*rows*4 floats, read)
// Specialization constants: 0 LOCAL (workgroup size, a power of two).
// Layout: local_size_x = LOCAL.
// Dispatch grid: (1, 1, 1).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; only rows and parts used).
// CPU reference: cpu.NTXentForwardBackward (loss and top1).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 256;

layout(std430, binding = 0) writeonly buffer B0 { float outv[]; };
layout(std430, binding = 1) writeonly buffer B1 { float lse[]; };
layout(std430, binding = 2) readonly buffer B2 { float part[]; };

#include "ntxent_push.glsl"

#include "treereduce.glsl"

shared float redL[LOCAL];
shared float redT[LOCAL];

void main() {
    uint t = gl_LocalInvocationID.x;
    uint rows = pc.rows;
    float loss = 0.0;
    float top = 0.0;
    for (uint i = t; i < rows; i += LOCAL) {
        float M = part[i * 4u];
        float sp = part[i * 4u + 2u];
        float nmax = part[i * 4u + 3u];
        for (uint p = 1u; p < pc.parts; p++) {
            uint o = (p * rows + i) * 4u;
            M = max(M, part[o]);
            sp = max(sp, part[o + 2u]);
            nmax = max(nmax, part[o + 3u]);
        }
        float S = 0.0;
        for (uint p = 0u; p < pc.parts; p++) {
            uint o = (p * rows + i) * 4u;
            S += part[o + 1u] * exp(part[o] - M);
        }
        float l = M + log(S);
        lse[i] = l;
        loss += l - sp;
        top += sp >= nmax ? 1.0 : 0.0;
    }
    TREE_SUM2(redL, loss, redT, top, t, LOCAL / 2u);
    if (t == 0u) {
        outv[0] = redL[0] / float(rows);
        outv[1] = redT[0] / float(rows);
    }
}
