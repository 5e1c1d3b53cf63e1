#version 450
// sgd_step.comp: PyTorch SGD (dampening 0), one element per invocation:
//   g' = g + weightDecay*w;  v = momentum*v + g';
//   w -= lr * (nesterov ? g' + momentum*v : v).
//
// Bindings (storage buffers, set 0):
//   0: w (n floats, read and written)
//   1: g (n floats, read)
//   2: v (n floats, read and written)
// Layout: local_size_x = 256; i = flat workgroup index * 256 + local index.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (grid1D).
// Push constants: {uint n; float lr, momentum, weightDecay; uint nesterov}
// (Go: pushSGD in engine/vulkan/optim.go).
// CPU reference: cpu.SGDStep.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float w[]; };
layout(std430, binding = 1) readonly buffer B1 { float g[]; };
layout(std430, binding = 2) buffer B2 { float v[]; };

layout(push_constant) uniform Push {
    uint n;
    float lr, momentum, weightDecay;
    uint nesterov;
} pc;

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    float wi = w[i];
    float gi = g[i] + pc.weightDecay * wi;
    float vi = pc.momentum * v[i] + gi;
    v[i] = vi;
    float step = pc.nesterov != 0u ? gi + pc.momentum * vi : vi;
    w[i] = wi - pc.lr * step;
}
