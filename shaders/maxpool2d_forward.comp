#version 450
// maxpool2d_forward.comp: y[n,c,p,q] = max of x[n,c] over the KH x KW window
// at (p*stride_h - pad_h, q*stride_w - pad_w), padding being -inf, and
// argmax[n,c,p,q] = h*W + w of the first maximum in row-major window order
// (the first in-range element starts the search, then strictly greater
// values replace it), stored as a float.
//
// Bindings (storage buffers, set 0):
//   0: y (N*C*P*Q floats or float16s, written)
//   1: argmax (N*C*P*Q floats, written)
//   2: x (N*C*H*W floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=5
// f16: y and x float16 (half_bind.glsl; y exact, a selection), argmax
// float (indices past 2048 are no float16 values).
// Layout: local_size_x = 256, one invocation per output element.
// Dispatch grid: ceil(N*C*P*Q / 256) workgroups spread over x and y
// (engine/vulkan grid1D); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; indices past the end do nothing.
// Push constants: {uint n, c, h, w, kh, kw, stride_h, stride_w, pad_h,
// pad_w, p, q} (Go: pushPool in engine/vulkan/pool.go).
// CPU reference: cpu.MaxPool2DForward.

layout(local_size_x = 256) in;

#include "half_bind.glsl"

layout(std430, binding = 0) writeonly buffer BY { HT0 Y[]; };
layout(std430, binding = 1) writeonly buffer BA { float Argmax[]; };
layout(std430, binding = 2) readonly buffer BX { HT2 X[]; };

#include "maxpool2d_push.glsl"

#include "grid1d.glsl"

void main() {
    uint g = GRID1D_GROUP;
    uint o = g * 256u + gl_LocalInvocationID.x;
    uint PQ = pc.p * pc.q;
    if (o >= pc.n * pc.c * PQ) {
        return;
    }
    uint plane = o / PQ;
    uint pq = o - plane * PQ;
    uint op = pq / pc.q;
    uint oq = pq - op * pc.q;
    uint xbase = plane * pc.h * pc.w;
    int h0 = int(op * pc.stride_h) - int(pc.pad_h);
    int w0 = int(oq * pc.stride_w) - int(pc.pad_w);
    float best = 0.0;
    int idx = -1;
    for (uint r = 0; r < pc.kh; r++) {
        int ih = h0 + int(r);
        if (ih < 0 || ih >= int(pc.h)) {
            continue;
        }
        for (uint s = 0; s < pc.kw; s++) {
            int iw = w0 + int(s);
            if (iw < 0 || iw >= int(pc.w)) {
                continue;
            }
            int i = ih * int(pc.w) + iw;
            float v = HLD2(X, xbase + uint(i));
            if (idx < 0 || v > best) {
                best = v;
                idx = i;
            }
        }
    }
    HST0(Y, o, best);
    Argmax[o] = float(idx);
}
