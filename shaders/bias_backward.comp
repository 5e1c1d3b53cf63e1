#version 450
// bias_backward.comp: db[ch] = sum_{i, j} dy[i, ch, j] over dy (n, c, hw),
// overwriting db.
//
// Bindings (storage buffers, set 0):
//   0: db (c floats, written)
//   1: dy (n*c*hw floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=2
// f16: dy float16 (half_bind.glsl), read exactly; db and the sums float.
// Layout: local_size_x = 64; one workgroup per channel. Invocation t sums the
// flat (i, j) indices t, t+64, ... in order; the 64 partial sums are then
// added by a fixed-order shared-memory tree, so results are deterministic
// (no atomics).
// Dispatch grid: c workgroups spread over x and y (engine/vulkan grid1D with
// one channel per workgroup); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x
// + gl_WorkGroupID.x is the channel.
// Push constants: {uint n, c, hw} (Go: pushBias in engine/vulkan/bias.go).
// CPU reference: cpu.BiasBackward.

layout(local_size_x = 64) in;

#include "half_bind.glsl"

layout(std430, binding = 0) writeonly buffer BDB { float DB[]; };
layout(std430, binding = 1) readonly buffer BDY { HT1 DY[]; };

#include "bias_push.glsl"

#include "treereduce.glsl"

shared float partial[64];

#include "grid1d.glsl"

void main() {
    uint ch = GRID1D_GROUP;
    uint t = gl_LocalInvocationID.x;
    float s = 0.0;
    if (ch < pc.c) {
        uint total = pc.n * pc.hw;
        for (uint idx = t; idx < total; idx += 64u) {
            uint i = idx / pc.hw;
            uint j = idx - i * pc.hw;
            s += HLD1(DY, (i * pc.c + ch) * pc.hw + j);
        }
    }
    TREE_SUM(partial, s, t, 32u);
    if (t == 0u && ch < pc.c) {
        DB[ch] = partial[0];
    }
}
