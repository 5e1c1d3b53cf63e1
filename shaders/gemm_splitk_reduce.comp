#version 450
// gemm_splitk_reduce.comp: the second pass of split-K GEMM (see
// gemm_tiled.comp, SPLIT_K variants): C[coff + i] = alpha * (P[0*mn + i] +
// P[1*mn + i] + ... + P[(slices-1)*mn + i]) + beta * C[coff + i] for
// i < mn, the slices added in that fixed order (deterministic, no atomics).
//
// Bindings (storage buffers, set 0):
//   0: C (at least coff+mn floats, read when beta != 0, written)
//   1: P (slices*mn floats, read): the partial products of the K slices
// Layout: local_size_x = 256, one invocation per element of C.
// Dispatch grid: ceil(mn/256) workgroups spread over x and y (engine/vulkan
// grid1D); flat workgroup index = gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x, indices past mn do nothing.
// Push constants: {uint mn, slices, coff; float alpha, beta} (Go:
// pushGemmSplitKReduce in engine/vulkan/gemm_splitk.go). beta == 0 ignores
// C's contents (NaN included).
// CPU reference: cpu.Gemm / cpu.GemmBatched (with the split-K pass before it).

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer BC { float C[]; };
layout(std430, binding = 1) readonly buffer BP { float P[]; };

layout(push_constant) uniform Push {
    uint mn, slices, coff;
    float alpha, beta;
} pc;

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, pc.mn)
    float s = 0.0;
    for (uint z = 0u; z < pc.slices; z++) {
        s += P[z * pc.mn + i];
    }
    float v = pc.alpha * s;
    if (pc.beta != 0.0) {
        v += pc.beta * C[pc.coff + i];
    }
    C[pc.coff + i] = v;
}
