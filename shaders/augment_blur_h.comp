#version 450
// augment_blur_h.comp: the horizontal pass of step 5 of the SimCLR view
// (Gaussian blur, simclr/augment/blur.go Blur): for views with VF_BLUR,
// tmp = the row-wise convolution of x with the view's normalised Gaussian
// taps of odd size k (written by the host, the CPU's), reflect padding
// (kernels wider than the view reflect again). Views without VF_BLUR leave
// tmp alone.
//
// Bindings (storage buffers, set 0):
//   0: tmp (views, c, size, size floats, written)
//   1: x (views, c, size, size floats, read)
//   2: vt (views * VIEW_WORDS uints, read: augment_view.glsl)
//   3: taps (the blurring views' taps, k floats each from the view's word
//      13, read)
// Layout: local_size_x = 256, one invocation per value.
// Dispatch grid: ceil(views*c*size*size/256) workgroups over x and y
// (vkrt Grid1D); the flat index is GRID1D_INDEX(256).
// Push constants: {uint views, c, size} (Go: Push in
// engine/vulkan/internal/augment).
// CPU reference: augment.Blur's horizontal pass (GaussianKernel, reflect).

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer B0 { float tmp[]; };
layout(std430, binding = 1) readonly buffer B1 { float x[]; };
layout(std430, binding = 2) readonly buffer B2 { uint vt[]; };
layout(std430, binding = 3) readonly buffer B3 { float taps[]; };

layout(push_constant) uniform Push {
    uint views;
    uint c;
    uint size;
} pc;

#include "grid1d.glsl"
#include "augment_view.glsl"

void main() {
    uint idx = GRID1D_INDEX(256u);
    uint s = pc.size;
    uint plane = s * s;
    if (idx >= pc.views * pc.c * plane) {
        return;
    }
    uint v = idx / (pc.c * plane);
    if ((VW(v, 3u) & VF_BLUR) == 0u) {
        return;
    }
    int k = int(VW(v, 14u));
    uint t0 = VW(v, 13u);
    int r = k / 2;
    uint row = idx - idx % s;
    int ox = int(idx % s);
    float acc = 0.0;
    for (int j = 0; j < k; j++) {
        acc += taps[t0 + uint(j)] * x[row + uint(reflectIndex(ox + j - r, int(s)))];
    }
    tmp[idx] = acc;
}
