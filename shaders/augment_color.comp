#version 450
// augment_color.comp: steps 3 and 4 of the SimCLR view in place: with
// VF_JITTER the four colour operations in the view's order (brightness
// x*f; contrast f*x + (1-f)*mean luma, or mean value for 1 channel;
// saturation f*x + (1-f)*luma; hue rotation through HSV, skipped without
// VF_HUE), clipping to [0, 1] after each, then with VF_GRAY the luma in
// every channel. Saturation, hue and gray need 3 channels.
//
// Bindings (storage buffers, set 0):
//   0: x (views, c, size, size floats, read and written)
//   1: vt (views * VIEW_WORDS uints, read: augment_view.glsl)
// Layout: local_size_x = 256; one workgroup per view, each invocation owns
// the pixels p = lid, lid+256, ... of the view in every operation, so only
// the contrast mean needs the workgroup (a shared-memory sum).
// Dispatch grid: views workgroups over x and y (vkrt Grid1D);
// GRID1D_GROUP is the view.
// Push constants: {uint views, c, size} (Go: Push in
// engine/vulkan/internal/augment).
// CPU reference: augment.Apply's jitter and gray steps
// (simclr/augment/color.go: Brightness, Contrast, Saturation, Hue,
// Grayscale).

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer B0 { float x[]; };
layout(std430, binding = 1) readonly buffer B1 { uint vt[]; };

layout(push_constant) uniform Push {
    uint views;
    uint c;
    uint size;
} pc;

#include "grid1d.glsl"
#include "augment_view.glsl"

const float lumaR = 0.299, lumaG = 0.587, lumaB = 0.114;

shared float partial[256];

// workgroupSum returns the sum of every invocation's s.
float workgroupSum(float s) {
    uint lid = gl_LocalInvocationID.x;
    partial[lid] = s;
    barrier();
    for (uint half_ = 128u; half_ > 0u; half_ >>= 1) {
        if (lid < half_) {
            partial[lid] += partial[lid + half_];
        }
        barrier();
    }
    float total = partial[0];
    barrier();
    return total;
}

// rgbToHSV and hsvToRGB are color.go's (torchvision _rgb2hsv, _hsv2rgb).
vec3 rgbToHSV(float r, float g, float b) {
    float maxc = max(max(r, g), b);
    float minc = min(min(r, g), b);
    float cr = maxc - minc;
    if (cr == 0.0) {
        return vec3(0.0, 0.0, maxc);
    }
    float s = cr / maxc;
    float rc = (maxc - r) / cr, gc = (maxc - g) / cr, bc = (maxc - b) / cr;
    float h;
    if (maxc == r) {
        h = bc - gc;
    } else if (maxc == g) {
        h = 2.0 + rc - bc;
    } else {
        h = 4.0 + gc - rc;
    }
    h /= 6.0;
    if (h < 0.0) {
        h += 1.0;
    }
    return vec3(h, s, maxc);
}

vec3 hsvToRGB(float h, float s, float v) {
    float h6 = h * 6.0;
    int i = int(h6);
    float f = h6 - float(i);
    i %= 6;
    float p = v * (1.0 - s);
    float q = v * (1.0 - s * f);
    float t = v * (1.0 - s * (1.0 - f));
    switch (i) {
    case 0: return vec3(v, t, p);
    case 1: return vec3(q, v, p);
    case 2: return vec3(p, v, t);
    case 3: return vec3(p, q, v);
    case 4: return vec3(t, p, v);
    }
    return vec3(v, p, q);
}

void main() {
    uint v = GRID1D_GROUP;
    if (v >= pc.views) {
        return; // uniform per workgroup
    }
    uint lid = gl_LocalInvocationID.x;
    uint plane = pc.size * pc.size;
    uint base = v * pc.c * plane;
    bool rgb = pc.c == 3u;
    uint flags = VW(v, 3u);
    if ((flags & VF_JITTER) != 0u) {
        uint order = VW(v, 8u);
        for (uint k = 0u; k < 4u; k++) {
            uint op = (order >> (2u * k)) & 3u;
            float f = VF(v, 9u + op);
            if (op == 0u) { // brightness
                for (uint i = lid; i < plane; i += 256u) {
                    for (uint c = 0u; c < pc.c; c++) {
                        x[base + c * plane + i] = clip01(x[base + c * plane + i] * f);
                    }
                }
            } else if (op == 1u) { // contrast
                float s = 0.0;
                for (uint i = lid; i < plane; i += 256u) {
                    if (rgb) {
                        s += lumaR * x[base + i] + lumaG * x[base + plane + i] + lumaB * x[base + 2u * plane + i];
                    } else {
                        s += x[base + i];
                    }
                }
                float m = (1.0 - f) * (workgroupSum(s) / float(plane));
                for (uint i = lid; i < plane; i += 256u) {
                    for (uint c = 0u; c < pc.c; c++) {
                        x[base + c * plane + i] = clip01(f * x[base + c * plane + i] + m);
                    }
                }
            } else if (op == 2u && rgb) { // saturation
                float g = 1.0 - f;
                for (uint i = lid; i < plane; i += 256u) {
                    float r = x[base + i], gr = x[base + plane + i], b = x[base + 2u * plane + i];
                    float l = g * (lumaR * r + lumaG * gr + lumaB * b);
                    x[base + i] = clip01(f * r + l);
                    x[base + plane + i] = clip01(f * gr + l);
                    x[base + 2u * plane + i] = clip01(f * b + l);
                }
            } else if (op == 3u && rgb && (flags & VF_HUE) != 0u) { // hue
                for (uint i = lid; i < plane; i += 256u) {
                    vec3 hsv = rgbToHSV(x[base + i], x[base + plane + i], x[base + 2u * plane + i]);
                    float h = hsv.x + f;
                    if (h >= 1.0) {
                        h -= 1.0;
                    } else if (h < 0.0) {
                        h += 1.0;
                    }
                    vec3 o = hsvToRGB(h, hsv.y, hsv.z);
                    x[base + i] = clip01(o.x);
                    x[base + plane + i] = clip01(o.y);
                    x[base + 2u * plane + i] = clip01(o.z);
                }
            }
        }
    }
    if ((flags & VF_GRAY) != 0u && rgb) {
        for (uint i = lid; i < plane; i += 256u) {
            float l = clip01(lumaR * x[base + i] + lumaG * x[base + plane + i] + lumaB * x[base + 2u * plane + i]);
            x[base + i] = l;
            x[base + plane + i] = l;
            x[base + 2u * plane + i] = l;
        }
    }
}
