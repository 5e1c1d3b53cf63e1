#version 450
// lars_norms.comp: first pass of lars_step: per-workgroup partial sums of
// ||w||^2 and ||g'||^2 with g' = g + weightDecay*w over the chunk
// [k*chunk, min((k+1)*chunk, n)) of workgroup k; each invocation sums its
// strided elements in order, then a fixed-order shared-memory tree adds the
// LOCAL sums (deterministic, no atomics).
//
// Bindings (storage buffers, set 0):
//   0: partial (2*parts floats, written: partial[2k] = sum w^2, partial[2k+1] = sum g'^2)
//   1: w       (n floats, read)
//   2: g       (n floats, read)
// Specialization constants: 0 LOCAL (workgroup size, a power of two).
// Layout: local_size_x = LOCAL.
// Dispatch grid: parts = ceil(n/chunk) workgroups spread over x and y (grid1D).
// Push constants: {uint n, chunk, parts; float lr, momentum, weightDecay, eta}
// (Go: pushLARS in engine/vulkan/optim.go; lr, momentum, eta unused here).
// CPU reference: cpu.LARSTrust (float64 sums there).

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 256;

layout(std430, binding = 0) writeonly buffer B0 { float partial[]; };
layout(std430, binding = 1) readonly buffer B1 { float w[]; };
layout(std430, binding = 2) readonly buffer B2 { float g[]; };

#include "lars_push.glsl"

#include "treereduce.glsl"

shared float redW[LOCAL];
shared float redG[LOCAL];

#include "grid1d.glsl"

void main() {
    GRID1D_GROUP_BOUND(k, pc.parts)
    uint t = gl_LocalInvocationID.x;
    uint end = min((k + 1u) * pc.chunk, pc.n);
    float ww = 0.0;
    float gg = 0.0;
    for (uint i = k * pc.chunk + t; i < end; i += LOCAL) {
        float wi = w[i];
        float gi = g[i] + pc.weightDecay * wi;
        ww += wi * wi;
        gg += gi * gi;
    }
    TREE_SUM2(redW, ww, redG, gg, t, LOCAL / 2u);
    if (t == 0u) {
        partial[2u * k] = redW[0];
        partial[2u * k + 1u] = redG[0];
    }
}
