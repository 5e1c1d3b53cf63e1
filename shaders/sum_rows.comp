#version 450
// sum_rows.comp: dst[r] = (sum_c src[r*cols + c]) / div for r < rows
// (div 1 for SumRows, cols for MeanRows).
//
// Bindings (storage buffers, set 0):
//   0: dst (rows floats, written)
//   1: src (rows*cols floats, read)
// Layout: local_size_x = 64; one workgroup per row.
// Dispatch grid: rows workgroups spread over x and y (engine/vulkan grid1D
// with one row per workgroup); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x is the row.
// Each invocation t sums c = t, t+64, ... in order; the 64 partial sums are
// then added by a fixed-order shared-memory tree, so results are
// deterministic (no atomics).
// Push constants: {uint rows; uint cols; float div} (Go: pushReduce in
// engine/vulkan/reduce.go).
// CPU reference: cpu.SumRows and cpu.MeanRows.

layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer B0 { float dst[]; };
layout(std430, binding = 1) readonly buffer B1 { float src[]; };

#include "sum_push.glsl"

#include "treereduce.glsl"

shared float partial[64];

#include "grid1d.glsl"

void main() {
    uint r = GRID1D_GROUP;
    uint t = gl_LocalInvocationID.x;
    float s = 0.0;
    if (r < pc.rows) {
        uint base = r * pc.cols;
        for (uint c = t; c < pc.cols; c += 64u) {
            s += src[base + c];
        }
    }
    TREE_SUM(partial, s, t, 32u);
    if (t == 0u && r < pc.rows) {
        dst[r] = partial[0] / pc.div;
    }
}
