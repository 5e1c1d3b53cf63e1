#version 450
// l2normalize_forward.comp: row-wise L2 normalisation, one row per
// invocation (no shared memory, no barrier):
//   norm[r] = max(sqrt(sum_j x[r,j]^2), 1e-12),  y[r,j] = x[r,j] / norm[r].
//
// Bindings (storage buffers, set 0):
//   0: y    (rows*dim floats, written)
//   1: norm (rows floats, written)
//   2: x    (rows*dim floats, read)
// Layout: local_size_x = 64; row r = flat workgroup index * 64 + local index.
// Dispatch grid: ceil(rows/64) workgroups spread over x and y (grid1D).
// Push constants: {uint rows, dim} (Go: pushL2 in engine/vulkan/l2norm.go).
// CPU reference: cpu.L2NormalizeForward (float64 sum there, float32 here).

layout(local_size_x = 64) in;

layout(std430, binding = 0) writeonly buffer B0 { float y[]; };
layout(std430, binding = 1) writeonly buffer B1 { float norm[]; };
layout(std430, binding = 2) readonly buffer B2 { float x[]; };

#include "l2normalize_push.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(r, 64u, pc.rows)
    uint base = r * pc.dim;
    float ss = 0.0;
    for (uint j = 0u; j < pc.dim; j++) {
        float v = x[base + j];
        ss += v * v;
    }
    float nr = max(sqrt(ss), 1e-12);
    norm[r] = nr;
    for (uint j = 0u; j < pc.dim; j++) {
        y[base + j] = x[base + j] / nr;
    }
}
