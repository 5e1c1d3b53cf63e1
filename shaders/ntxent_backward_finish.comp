#version 450
// ntxent_backward_finish.comp: last step of the fused NT-Xent gradient, one
// element per invocation:
//   dz[i,j] = scale * (sum_q gpart[q][i,j] - 2 z[pos(i), j]),
//   scale = 1/(rows*tau), pos(i) = (i + nHalf) mod rows,
// the parts q added in order (deterministic). With IN_PLACE (a single part,
// or parts accumulated one after the other) ntxent_backward accumulated into
// dz itself and binding 1 is unused.
//
// Bindings (storage buffers, set 0):
//   0: dz    (rows*d floats, written; read when IN_PLACE)
//   1: gpart (parts*rows*d floats, read; any buffer when IN_PLACE)
//   2: z     (rows*d floats, read)
// Specialization constants: 0 IN_PLACE (0/1).
// Layout: local_size_x = 256; element e = i*d + j = flat workgroup index *
// 256 + local index.
// Dispatch grid: ceil(rows*d/256) workgroups spread over x and y (grid1D).
// Push constants: {uint rows, d, nHalf, chunk, parts, part0; float invTau, scale}
// (Go: pushNTXent in engine/vulkan/ntxent.go; chunk, part0 and invTau unused).
// CPU reference: cpu.NTXentForwardBackward (dz).

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint IN_PLACE = 0;

layout(std430, binding = 0) buffer B0 { float dz[]; };
layout(std430, binding = 1) readonly buffer B1 { float gpart[]; };
layout(std430, binding = 2) readonly buffer B2 { float z[]; };

#include "ntxent_push.glsl"

#include "grid1d.glsl"

void main() {
    uint e = GRID1D_INDEX(256u);
    uint n = pc.rows * pc.d;
    if (e >= n) {
        return;
    }
    uint i = e / pc.d;
    uint j = e - i * pc.d;
    uint pos = i < pc.nHalf ? i + pc.nHalf : i - pc.nHalf;
    float acc;
    if (IN_PLACE != 0u) {
        acc = dz[e];
    } else {
        acc = 0.0;
        for (uint q = 0u; q < pc.parts; q++) {
            acc += gpart[q * n + e];
        }
    }
    dz[e] = pc.scale * (acc - 2.0 * z[pos * pc.d + j]);
}
