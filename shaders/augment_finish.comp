#version 450
// augment_finish.comp: the last steps of the SimCLR view, per value: with
// VF_BLUR the vertical pass of the Gaussian blur over tmp (the view's taps
// from the host, in order; reflect padding) clipped to [0, 1], else x itself; then with
// VF_SOLARIZE x >= 0.5 becomes 1 - x; with VF_NOISE x + std * n clipped
// to [0, 1], n the counter-hash normal value of (seed, channel, pixel)
// (augment.NoiseValue); with VF_NORMALIZE (x - mean[c]) * (1/std[c]).
//
// Bindings (storage buffers, set 0):
//   0: x (views, c, size, size floats, read and written)
//   1: tmp (views, c, size, size floats from augment_blur_h, read for
//      views with VF_BLUR; any buffer when no view blurs)
//   2: vt (views * VIEW_WORDS uints, read: augment_view.glsl)
//   3: taps (the blurring views' taps, k floats each from the view's word
//      13, read; any buffer when no view blurs)
// Layout: local_size_x = 256, one invocation per value.
// Dispatch grid: ceil(views*c*size*size/256) workgroups over x and y
// (vkrt Grid1D); the flat index is GRID1D_INDEX(256).
// Push constants: {uint views, c, size} (Go: Push in
// engine/vulkan/internal/augment).
// CPU reference: augment.Apply after the gray step: Blur's vertical pass,
// Solarize, Noise, the Mean/Std normalisation.

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float x[]; };
layout(std430, binding = 1) readonly buffer B1 { float tmp[]; };
layout(std430, binding = 2) readonly buffer B2 { uint vt[]; };
layout(std430, binding = 3) readonly buffer B3 { float taps[]; };

layout(push_constant) uniform Push {
    uint views;
    uint c;
    uint size;
} pc;

#include "grid1d.glsl"
#include "augment_view.glsl"

uint mix32(uint h) {
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

// noiseBits is augment.NoiseBits.
uint noiseBits(uint lo, uint hi, uint c, uint pixel, uint k) {
    return mix32(lo ^ mix32(hi ^ mix32(pixel ^ mix32((c << 1) | k))));
}

void main() {
    uint idx = GRID1D_INDEX(256u);
    uint s = pc.size;
    uint plane = s * s;
    if (idx >= pc.views * pc.c * plane) {
        return;
    }
    uint v = idx / (pc.c * plane);
    uint ch = (idx / plane) % pc.c;
    uint pixel = idx % plane;
    uint flags = VW(v, 3u);
    float val;
    if ((flags & VF_BLUR) != 0u) {
        int k = int(VW(v, 14u));
        uint t0 = VW(v, 13u);
        int r = k / 2;
        uint pl = idx - pixel;
        int oy = int(pixel / s);
        uint ox = pixel % s;
        val = taps[t0] * tmp[pl + uint(reflectIndex(oy - r, int(s))) * s + ox];
        for (int j = 1; j < k; j++) {
            val += taps[t0 + uint(j)] * tmp[pl + uint(reflectIndex(oy + j - r, int(s))) * s + ox];
        }
        val = clip01(val);
    } else {
        val = x[idx];
    }
    if ((flags & VF_SOLARIZE) != 0u && val >= 0.5) {
        val = 1.0 - val;
    }
    if ((flags & VF_NOISE) != 0u) {
        uint lo = VW(v, 16u), hi = VW(v, 17u);
        float u1 = float((noiseBits(lo, hi, ch, pixel, 0u) >> 8) + 1u) * (1.0 / 16777216.0);
        float u2 = float(noiseBits(lo, hi, ch, pixel, 1u) >> 8) * (1.0 / 16777216.0);
        float n = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * (u2 - 0.5));
        val = clip01(val + VF(v, 15u) * n);
    }
    if ((flags & VF_NORMALIZE) != 0u) {
        val = (val - VF(v, 18u + ch)) * VF(v, 21u + ch);
    }
    x[idx] = val;
}
