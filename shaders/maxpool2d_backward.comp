#version 450
// maxpool2d_backward.comp: dx[n,c,h,w] = sum of dy[n,c,p,q] over the
// outputs (p, q) whose window covers (h, w) and whose argmax is h*W + w,
// overwriting dx. A gather: one invocation per input element visits the
// covering windows in row-major (p, q) order, the order in which the CPU
// reference scatters, so results match it exactly and need no atomics.
//
// Bindings (storage buffers, set 0):
//   0: dx (N*C*H*W floats or float16s, written)
//   1: dy (N*C*P*Q floats or float16s, read)
//   2: argmax (N*C*P*Q floats, read): h*W + w as written by maxpool2d_forward
// variant: f32
// variant: f16 -DHALF=3
// f16: dx and dy float16 (half_bind.glsl), the float32 sum rounded once.
// Layout: local_size_x = 256, one invocation per input element.
// Dispatch grid: ceil(N*C*H*W / 256) workgroups spread over x and y
// (engine/vulkan grid1D); flat index gl_WorkGroupID.y*gl_NumWorkGroups.x +
// gl_WorkGroupID.x; indices past the end do nothing.
// Push constants: {uint n, c, h, w, kh, kw, stride_h, stride_w, pad_h,
// pad_w, p, q} (Go: pushPool in engine/vulkan/pool.go).
// CPU reference: cpu.MaxPool2DBackward.

layout(local_size_x = 256) in;

#include "half_bind.glsl"

layout(std430, binding = 0) writeonly buffer BDX { HT0 DX[]; };
layout(std430, binding = 1) readonly buffer BDY { HT1 DY[]; };
layout(std430, binding = 2) readonly buffer BA { float Argmax[]; };

#include "maxpool2d_push.glsl"

#include "grid1d.glsl"

void main() {
    uint g = GRID1D_GROUP;
    uint i = g * 256u + gl_LocalInvocationID.x;
    uint HW = pc.h * pc.w;
    if (i >= pc.n * pc.c * HW) {
        return;
    }
    uint plane = i / HW;
    uint hw = i - plane * HW;
    int ih = int(hw / pc.w);
    int iw = int(hw) - ih * int(pc.w);
    float self = float(hw);
    // Windows covering ih: p*stride_h - pad_h <= ih <= p*stride_h - pad_h + kh - 1.
    int th = ih + int(pc.pad_h);
    int tw = iw + int(pc.pad_w);
    int p0 = max(0, (th - int(pc.kh) + int(pc.stride_h)) / int(pc.stride_h));
    int p1 = min(int(pc.p) - 1, th / int(pc.stride_h));
    int q0 = max(0, (tw - int(pc.kw) + int(pc.stride_w)) / int(pc.stride_w));
    int q1 = min(int(pc.q) - 1, tw / int(pc.stride_w));
    uint obase = plane * pc.p * pc.q;
    float s = 0.0;
    for (int op = p0; op <= p1; op++) {
        for (int oq = q0; oq <= q1; oq++) {
            uint o = obase + uint(op) * pc.q + uint(oq);
            if (Argmax[o] == self) {
                s += HLD1(DY, o);
            }
        }
    }
    HST0(DX, i, s);
}
