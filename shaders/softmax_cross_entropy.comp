#version 450
// softmax_cross_entropy.comp: per-row softmax cross-entropy (forward and,
// when WANT_GRAD, backward), one row per invocation:
//   m = max_c logits[i,c],  s = sum_c exp(logits[i,c] - m)
//   rowLoss[i] = (m - logits[i, label_i]) + log(s)        (= lse - logit)
//   dlogits[i,c] = (exp(logits[i,c] - m) / s - [c == label_i]) / n
// (m is not added back before subtracting: with logits near 1000 the
// float32 lse would lose the small log(s)).
// A label that is not an integer in [0, classes) gives rowLoss NaN and a NaN
// dlogits row (the device cannot panic; the CPU backend does). engine/vulkan
// then averages rowLoss with MeanRows (sum_rows, fixed order) into loss.
//
// Bindings (storage buffers, set 0):
//   0: rowLoss (n floats, written)
//   1: dlogits (n*classes floats, written when WANT_GRAD; else any buffer)
//   2: logits  (n*classes floats, read)
//   3: labels  (n floats, read: class indices)
// Specialization constants: 0 WANT_GRAD (0/1).
// Layout: local_size_x = 64; row i = flat workgroup index * 64 + local index.
// Dispatch grid: ceil(n/64) workgroups spread over x and y (grid1D).
// Push constants: {uint n, classes} (Go: pushCrossEntropy in
// engine/vulkan/crossentropy.go).
// CPU reference: cpu.SoftmaxCrossEntropy.

layout(local_size_x = 64) in;
layout(constant_id = 0) const uint WANT_GRAD = 1;

layout(std430, binding = 0) writeonly buffer B0 { float rowLoss[]; };
layout(std430, binding = 1) buffer B1 { float dlogits[]; };
layout(std430, binding = 2) readonly buffer B2 { float logits[]; };
layout(std430, binding = 3) readonly buffer B3 { float labels[]; };

layout(push_constant) uniform Push {
    uint n, classes;
} pc;

#include "grid1d.glsl"

void main() {
    GRID1D_BOUND(i, 64u, pc.n)
    uint base = i * pc.classes;
    float lf = labels[i];
    bool ok = lf >= 0.0 && lf < float(pc.classes) && lf == floor(lf);
    uint label = ok ? uint(lf) : 0u;
    float m = logits[base];
    for (uint c = 1u; c < pc.classes; c++) {
        m = max(m, logits[base + c]);
    }
    float s = 0.0;
    for (uint c = 0u; c < pc.classes; c++) {
        s += exp(logits[base + c] - m);
    }
    float nan = uintBitsToFloat(0x7fc00000u);
    rowLoss[i] = ok ? (m - logits[base + label]) + log(s) : nan;
    if (WANT_GRAD != 0u) {
        float inv = 1.0 / float(pc.n);
        float invS = 1.0 / s;
        for (uint c = 0u; c < pc.classes; c++) {
            float p = exp(logits[base + c] - m) * invS;
            if (c == label) {
                p -= 1.0;
            }
            dlogits[base + c] = ok ? p * inv : nan;
        }
    }
}
