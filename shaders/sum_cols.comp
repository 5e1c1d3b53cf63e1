#version 450
// sum_cols.comp: dst[c] = (sum_r src[r*cols + c]) / div for c < cols
// (div 1 for SumCols, rows for MeanCols).
//
// Bindings (storage buffers, set 0):
//   0: dst (cols floats, written)
//   1: src (rows*cols floats, read)
// Layout: local_size = (16, 16): x picks one of 16 adjacent columns, y one of
// 16 row slices.
// Dispatch grid: ceil(cols/16) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index times 16 is the first column.
// Invocation (x, y) sums rows r = y, y+16, ... in order for its column; the
// 16 slice sums are added by a fixed-order shared-memory tree
// (deterministic, no atomics).
// Push constants: {uint rows; uint cols; float div} (Go: pushReduce in
// engine/vulkan/reduce.go).
// CPU reference: cpu.SumCols and cpu.MeanCols.

layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) buffer B0 { float dst[]; };
layout(std430, binding = 1) readonly buffer B1 { float src[]; };

#include "sum_push.glsl"

shared float partial[16][16];

#include "grid1d.glsl"

void main() {
    uint c = GRID1D_INDEX(16u);
    uint x = gl_LocalInvocationID.x;
    uint y = gl_LocalInvocationID.y;
    float s = 0.0;
    if (c < pc.cols) {
        for (uint r = y; r < pc.rows; r += 16u) {
            s += src[r * pc.cols + c];
        }
    }
    partial[y][x] = s;
    barrier();
    for (uint stride = 8u; stride > 0u; stride >>= 1) {
        if (y < stride) {
            partial[y][x] += partial[y + stride][x];
        }
        barrier();
    }
    if (y == 0u && c < pc.cols) {
        dst[c] = partial[0][x] / pc.div;
    }
}
