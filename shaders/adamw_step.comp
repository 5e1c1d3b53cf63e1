#version 450
// adamw_step.comp: PyTorch AdamW (amsgrad off), one element per invocation:
//   w *= 1 - lr*weightDecay;  m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2;
//   w -= lr * (m/bc1) / (sqrt(v/bc2) + eps),  bc1 = 1-beta1^step, bc2 = 1-beta2^step
// (bias corrections computed on the host in float64).
//
// Bindings (storage buffers, set 0):
//   0: w (n floats, read and written)
//   1: g (n floats, read)
//   2: m (n floats, read and written)
//   3: v (n floats, read and written)
// Layout: local_size_x = 256; i = flat workgroup index * 256 + local index.
// Dispatch grid: ceil(n/256) workgroups spread over x and y (grid1D).
// Push constants: {uint n; float lr, beta1, beta2, eps, weightDecay, bc1, bc2}
// (Go: pushAdamW in engine/vulkan/optim.go).
// CPU reference: cpu.AdamWStep.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float w[]; };
layout(std430, binding = 1) readonly buffer B1 { float g[]; };
layout(std430, binding = 2) buffer B2 { float m[]; };
layout(std430, binding = 3) buffer B3 { float v[]; };

layout(push_constant) uniform Push {
    uint n;
    float lr, beta1, beta2, eps, weightDecay, bc1, bc2;
} pc;

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 256u, pc.n)
    float gi = g[i];
    float wi = w[i] * (1.0 - pc.lr * pc.weightDecay);
    float mi = pc.beta1 * m[i] + (1.0 - pc.beta1) * gi;
    float vi = pc.beta2 * v[i] + (1.0 - pc.beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - pc.lr * (mi / pc.bc1) / (sqrt(vi / pc.bc2) + pc.eps);
}
