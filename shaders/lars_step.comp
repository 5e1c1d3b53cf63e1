#version 450
// lars_step.comp: the SimCLR LARS update (lars_optimizer.py, classic
// momentum), one element per invocation, after lars_norms:
//   unless EXCLUDE: g' = g + weightDecay*w, trust = eta*||w||/||g'|| when both
//   norms are > 0, else 1; with EXCLUDE: g' = g, trust = 1.
//   v = momentum*v + lr*trust*g';  w -= v.
// Every workgroup adds the lars_norms partials itself in the same fixed order
// (each invocation sums a strided subset, then a shared-memory tree), so the
// trust ratio is identical everywhere without a host round-trip or a third
// dispatch.
//
// Bindings (storage buffers, set 0):
//   0: w       (n floats, read and written)
//   1: g       (n floats, read)
//   2: v       (n floats, read and written)
//   3: partial (2*parts floats from lars_norms, read; any buffer when EXCLUDE)
// Specialization constants: 0 LOCAL (workgroup size, a power of two),
// 1 EXCLUDE (0/1).
// Layout: local_size_x = LOCAL; i = flat workgroup index * LOCAL + local index.
// Dispatch grid: ceil(n/LOCAL) workgroups spread over x and y (grid1D).
// Push constants: {uint n, chunk, parts; float lr, momentum, weightDecay, eta}
// (Go: pushLARS in engine/vulkan/optim.go).
// CPU reference: cpu.LARSStep.

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 256;
layout(constant_id = 1) const uint EXCLUDE = 0;

layout(std430, binding = 0) buffer B0 { float w[]; };
layout(std430, binding = 1) readonly buffer B1 { float g[]; };
layout(std430, binding = 2) buffer B2 { float v[]; };
layout(std430, binding = 3) readonly buffer B3 { float partial[]; };

#include "lars_push.glsl"

#include "treereduce.glsl"

shared float redW[LOCAL];
shared float redG[LOCAL];

#include "grid1d.glsl"

void main() {
    uint t = gl_LocalInvocationID.x;
    uint i = GRID1D_GROUP * LOCAL + t;
    float trust = 1.0;
    float wd = 0.0;
    if (EXCLUDE == 0u) {
        wd = pc.weightDecay;
        float ww = 0.0;
        float gg = 0.0;
        for (uint k = t; k < pc.parts; k += LOCAL) {
            ww += partial[2u * k];
            gg += partial[2u * k + 1u];
        }
        TREE_SUM2(redW, ww, redG, gg, t, LOCAL / 2u);
        ww = redW[0];
        gg = redG[0];
        if (ww > 0.0 && gg > 0.0) {
            trust = pc.eta * sqrt(ww) / sqrt(gg);
        }
    }
    if (i >= pc.n) {
        return;
    }
    float wi = w[i];
    float gi = g[i] + wd * wi;
    float vi = pc.momentum * v[i] + pc.lr * trust * gi;
    v[i] = vi;
    w[i] = wi - vi;
}
