#version 450
// from_float16.comp: unpacks the (n+1)/2 words of two IEEE binary16 values
// each that to_float16.comp writes into n floats, exactly: dst[i] = the low
// (even i) or high (odd i) half of word i/2. Integer arithmetic only, so
// no device flushes subnormals or touches NaN payloads.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats as uints, written)
//   1: src ((n+1)/2 uints, read)
// Layout: local_size_x = 256, one invocation per float.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (engine/vulkan
// grid1D); the flat workgroup index is gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x.
// Push constants: {uint n} (Go: Push in engine/vulkan/internal/float16).
// CPU reference: cpu.FromFloat16 (engine.Float16Value).

#include "float16.glsl"

// float32bits is engine.Float16Value's bits for the binary16 pattern h.
uint float32bits(uint h) {
    uint sign = (h & 0x8000u) << 16;
    uint e = (h >> 10) & 0x1fu;
    uint m = h & 0x3ffu;
    if (e == 31u) {
        return sign | 0x7f800000u | (m << 13); // Inf, NaN
    }
    if (e == 0u) {
        if (m == 0u) {
            return sign;
        }
        e = 113u; // subnormal: normalise
        while ((m & 0x400u) == 0u) {
            m <<= 1;
            e--;
        }
        return sign | (e << 23) | ((m & 0x3ffu) << 13);
    }
    return sign | ((e + 112u) << 23) | (m << 13);
}

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    dst[i] = float32bits((src[i >> 1] >> (16u * (i & 1u))) & 0xffffu);
}
