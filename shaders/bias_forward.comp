#version 450
// bias_forward.comp: y[i, ch, j] += bias[ch] in place over y (n, c, hw).
//
// Bindings (storage buffers, set 0):
//   0: y (n*c*hw floats or float16s, read and written)
//   1: bias (c floats, read)
// variant: f32
// variant: f16 -DHALF=1
// f16: y float16 (half_bind.glsl), the float32 sum rounded once.
// Layout: local_size_x = 256, one invocation per element of y.
// Dispatch grid: ceil(n*c*hw / 256) workgroups spread over x and y
// (engine/vulkan grid1D); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; indices past the end do nothing.
// Push constants: {uint n, c, hw} (Go: pushBias in engine/vulkan/bias.go).
// CPU reference: cpu.BiasForward (f16: then engine.Float16Round).

layout(local_size_x = 256) in;

#include "half_bind.glsl"

layout(std430, binding = 0) buffer BY { HT0 Y[]; };
layout(std430, binding = 1) readonly buffer BB { float Bias[]; };

#include "bias_push.glsl"

#include "grid1d.glsl"

void main() {
    uint g = GRID1D_GROUP;
    uint i = g * 256u + gl_LocalInvocationID.x;
    if (i >= pc.n * pc.c * pc.hw) {
        return;
    }
#if HALF != 0
    HST0(Y, i, HLD0(Y, i) + Bias[(i / pc.hw) % pc.c]);
#else
    Y[i] += Bias[(i / pc.hw) % pc.c]; // the float32 kernel's SPIR-V as before
#endif
}
