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

#include "half.glsl"

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    dst[i] = float32bits((src[i >> 1] >> (16u * (i & 1u))) & 0xffffu);
}
