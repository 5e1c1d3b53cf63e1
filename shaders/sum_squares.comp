#version 450
// sum_squares.comp: partial[g] = sum of src[i]^2 over the chunk
// i in [g*chunk, min((g+1)*chunk, n)) of workgroup g. With one workgroup the
// result is SumSquares itself; otherwise engine/vulkan adds the partials
// with sum_rows (rows = 1), so the order is fixed by n alone (deterministic,
// no atomics).
//
// Bindings (storage buffers, set 0):
//   0: partial (ceil(n/chunk) floats, written)
//   1: src (n floats, read)
// Layout: local_size_x = 256; invocation t sums i = start+t, start+t+256, ...
// then a fixed-order shared-memory tree adds the 256 sums.
// Dispatch grid: ceil(n/chunk) workgroups spread over x and y (grid1D).
// Push constants: {uint n; uint chunk} (Go: pushSumSquares in
// engine/vulkan/reduce.go).
// CPU reference: cpu.SumSquares.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float partial[]; };
layout(std430, binding = 1) readonly buffer B1 { float src[]; };

layout(push_constant) uniform Push {
    uint n, chunk;
} pc;

#include "treereduce.glsl"

shared float acc[256];

#include "grid1d.glsl"

void main() {
    uint g = GRID1D_GROUP;
    uint t = gl_LocalInvocationID.x;
    uint start = g * pc.chunk;
    uint end = min(start + pc.chunk, pc.n);
    float s = 0.0;
    for (uint i = start + t; i < end; i += 256u) {
        float v = src[i];
        s += v * v;
    }
    TREE_SUM(acc, s, t, 128u);
    if (t == 0u && start < pc.n) {
        partial[g] = acc[0];
    }
}
