#version 450
// to_float16.comp: packs n floats into (n+1)/2 words of two IEEE binary16
// values each, rounded to nearest, ties to even: word i = h(src[2i]) |
// h(src[2i+1]) << 16, h(x) = 0 for 2i+1 >= n. Integer arithmetic only, so
// every device rounds alike (GLSL's packHalf2x16 may round toward zero):
// subnormals down to 2^-24, 65520 and up to Inf, NaN to the quiet NaN.
//
// Bindings (storage buffers, set 0):
//   0: dst ((n+1)/2 uints, written)
//   1: src (n floats as uints, read)
// Layout: local_size_x = 256, one invocation per word.
// Dispatch grid: ceil(((n+1)/2)/256) workgroups spread over x and y
// (engine/vulkan grid1D); the flat workgroup index is
// gl_WorkGroupID.y*gl_NumWorkGroups.x + gl_WorkGroupID.x.
// Push constants: {uint n} (Go: Push in engine/vulkan/internal/float16).
// CPU reference: cpu.ToFloat16 (engine.Float16Bits).

#include "float16.glsl"

#include "half.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, (pc.n + 1u) / 2u)
    uint w = half16(src[2u * i]);
    if (2u * i + 1u < pc.n) {
        w |= half16(src[2u * i + 1u]) << 16;
    }
    dst[i] = w;
}
