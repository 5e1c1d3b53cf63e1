#version 450
// augment_resample.comp: step 1 of the SimCLR view (simclr/augment
// resample in geometry.go): the crop rectangle of the view's uint8 source
// image, mirrored when flipping, resized to size x size with bilinear
// interpolation (half-pixel centres, taps clamped to the crop), / 255.
//
// Bindings (storage buffers, set 0):
//   0: dst (views, c, size, size floats, written)
//   1: vt (views * VIEW_WORDS uints, read: augment_view.glsl)
//   2: pix (the source images' bytes packed 4 per uint, little-endian, read)
// Layout: local_size_x = 256, one invocation per output value.
// Dispatch grid: ceil(views*c*size*size/256) workgroups over x and y
// (vkrt Grid1D); the flat index is GRID1D_INDEX(256).
// Push constants: {uint views, c, size} (Go: Push in
// engine/vulkan/internal/augment).
// CPU reference: augment.Apply with only the crop and flip
// (simclr/augment/geometry.go resample, taps).

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer B0 { float dst[]; };
layout(std430, binding = 1) readonly buffer B1 { uint vt[]; };
layout(std430, binding = 2) readonly buffer B2 { uint pix[]; };

layout(push_constant) uniform Push {
    uint views;
    uint c;
    uint size;
} pc;

#include "grid1d.glsl"
#include "augment_view.glsl"

float byteAt(uint o) {
    return float((pix[o >> 2] >> ((o & 3u) * 8u)) & 0xffu);
}

// tap is the CPU's taps for output position k: source coordinate
// u = a*k + b clamped to [lo, hi]; returns i0 and the weight of i0 + 1
// (i1 = i0 when clamped).
void tap(float a, float b, uint k, int lo, int hi, out int i0, out int i1, out float f) {
    float u = a * float(k) + b;
    if (u <= float(lo)) {
        i0 = lo; i1 = lo; f = 0.0;
    } else if (u >= float(hi)) {
        i0 = hi; i1 = hi; f = 0.0;
    } else {
        i0 = int(u); i1 = i0 + 1; f = u - float(i0);
    }
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
    uint oy = (idx % plane) / s;
    uint ox = idx % s;
    uint h = VW(v, 1u), w = VW(v, 2u);
    int cx = int(VW(v, 4u)), cy = int(VW(v, 5u)), cw = int(VW(v, 6u)), chh = int(VW(v, 7u));
    // The CPU's affine map: x' = ax*x + mx, y' = ay*y + my (Transform).
    float ax = float(cw) / float(s);
    float mx = float(cx);
    if ((VW(v, 3u) & VF_FLIP) != 0u) {
        mx = float(cx) + ax * float(s);
        ax = -ax;
    }
    float ay = float(chh) / float(s);
    int x0, x1, y0, y1;
    float fx, fy;
    tap(ax, ax * 0.5 + mx - 0.5, ox, cx, cx + cw - 1, x0, x1, fx);
    tap(ay, ay * 0.5 + float(cy) - 0.5, oy, cy, cy + chh - 1, y0, y1, fy);
    uint base = VW(v, 0u) + ch * h * w;
    uint r0 = base + uint(y0) * w, r1 = base + uint(y1) * w;
    float a0 = byteAt(r0 + uint(x0)), a1 = byteAt(r0 + uint(x1));
    float b0 = byteAt(r1 + uint(x0)), b1 = byteAt(r1 + uint(x1));
    float top = a0 + (a1 - a0) * fx;
    float bot = b0 + (b1 - b0) * fx;
    dst[idx] = (top + (bot - top) * fy) * (1.0 / 255.0);
}
