#version 450
// l2normalize_backward.comp: backward of l2normalize_forward, one row per
// invocation:
//   dx[r] = (dy[r] - y[r] * <y[r], dy[r]>) / norm[r],
// or dy[r] / norm[r] when the norm was clamped to 1e-12 (y = x / 1e-12 is
// then linear, as in PyTorch).
//
// Bindings (storage buffers, set 0):
//   0: dx   (rows*dim floats, written)
//   1: dy   (rows*dim floats, read)
//   2: y    (rows*dim floats, read)
//   3: norm (rows floats, read)
// Layout: local_size_x = 64; row r = flat workgroup index * 64 + local index.
// Dispatch grid: ceil(rows/64) workgroups spread over x and y (grid1D).
// Push constants: {uint rows, dim} (Go: pushL2 in engine/vulkan/l2norm.go).
// CPU reference: cpu.L2NormalizeBackward.

layout(local_size_x = 64) in;

layout(std430, binding = 0) writeonly buffer B0 { float dx[]; };
layout(std430, binding = 1) readonly buffer B1 { float dy[]; };
layout(std430, binding = 2) readonly buffer B2 { float y[]; };
layout(std430, binding = 3) readonly buffer B3 { float norm[]; };

#include "l2normalize_push.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(r, 64u, pc.rows)
    uint base = r * pc.dim;
    float nr = norm[r];
    float dot = 0.0;
    if (nr != 1e-12) {
        for (uint j = 0u; j < pc.dim; j++) {
            dot += y[base + j] * dy[base + j];
        }
    }
    for (uint j = 0u; j < pc.dim; j++) {
        dx[base + j] = (dy[base + j] - y[base + j] * dot) / nr;
    }
}
