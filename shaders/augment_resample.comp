#version 450
// augment_resample.comp: step 1 of the SimCLR view (simclr/augment
// resample in geometry.go): the crop rectangle of the view's uint8 source
// image, mirrored when flipping, resized to size x size with bilinear
// interpolation (half-pixel centres, taps clamped to the crop), / 255.
// The crop's affine map is evaluated in integers (engine.CheckAugment
// keeps (2*size+1) * the crop's side below 2^31).
//
// Bindings (storage buffers, set 0):
//   0: dst (views, c, size, size floats, written)
//   1: vt (views * VIEW_WORDS uints, read: augment_view.glsl)
//   2: pix (the source images' bytes packed 4 per uint, little-endian, read)
//   3: sel (views uints, read: the views of dst this dispatch renders, whose
//      source images pix holds; a batch larger than one upload is rendered
//      by several dispatches, each with its own pix and sel)
// Layout: local_size_x = 256, one invocation per output value of the
// selected views.
// Dispatch grid: ceil(views*c*size*size/256) workgroups over x and y
// (vkrt Grid1D); the flat index is GRID1D_INDEX(256).
// Push constants: {uint views, c, size}, views the length of sel (Go: Push in
// engine/vulkan/internal/augment).
// CPU reference: augment.Apply with only the crop and flip
// (simclr/augment/geometry.go resample, taps).

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer B0 { float dst[]; };
layout(std430, binding = 1) readonly buffer B1 { uint vt[]; };
layout(std430, binding = 2) readonly buffer B2 { uint pix[]; };
layout(std430, binding = 3) readonly buffer B3 { uint sel[]; };

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

// tap is the CPU's taps for output position k along an axis of n output
// pixels over the crop [lo, lo+w): the source coordinate of pixel k's
// centre is u = lo + ((2k+1)*w - n) / (2n) (k mirrored to n-1-k when
// flipping), in integers so that the fraction is exact where a float32 u
// of a large image would lose bits; clamped to [lo, lo+w-1]. Returns the
// taps i0, i1 and the weight f of i1 (i1 = i0 when clamped).
void tap(uint k, uint n, int lo, int w, bool flip, out int i0, out int i1, out float f) {
    int kk = int(flip ? n - 1u - k : k);
    int den = 2 * int(n);
    int num = (2 * kk + 1) * w - int(n);
    if (num <= 0) {
        i0 = lo; i1 = lo; f = 0.0;
    } else if (num >= (w - 1) * den) {
        i0 = lo + w - 1; i1 = i0; f = 0.0;
    } else {
        i0 = lo + num / den; i1 = i0 + 1; f = float(num % den) / float(den);
    }
}

void main() {
    uint idx = GRID1D_INDEX(256u);
    uint s = pc.size;
    uint plane = s * s;
    if (idx >= pc.views * pc.c * plane) {
        return;
    }
    uint v = sel[idx / (pc.c * plane)];
    uint ch = (idx / plane) % pc.c;
    uint oy = (idx % plane) / s;
    uint ox = idx % s;
    uint h = VW(v, 1u), w = VW(v, 2u);
    int cx = int(VW(v, 4u)), cy = int(VW(v, 5u)), cw = int(VW(v, 6u)), chh = int(VW(v, 7u));
    int x0, x1, y0, y1;
    float fx, fy;
    tap(ox, s, cx, cw, (VW(v, 3u) & VF_FLIP) != 0u, x0, x1, fx);
    tap(oy, s, cy, chh, false, y0, y1, fy);
    uint base = VW(v, 0u) + ch * h * w;
    uint r0 = base + uint(y0) * w, r1 = base + uint(y1) * w;
    float a0 = byteAt(r0 + uint(x0)), a1 = byteAt(r0 + uint(x1));
    float b0 = byteAt(r1 + uint(x0)), b1 = byteAt(r1 + uint(x1));
    float top = a0 + (a1 - a0) * fx;
    float bot = b0 + (b1 - b0) * fx;
    dst[v * pc.c * plane + idx % (pc.c * plane)] = (top + (bot - top) * fy) * (1.0 / 255.0);
}
