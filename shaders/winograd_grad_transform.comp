#version 450
// winograd_grad_transform.comp: the dy side of the filter gradient through
// Winograd F(3x3, 2x2), G = A dy A^T for the 2x2 block of dy of every
// tile and output channel.
//
// Bindings (storage buffers, set 0):
//   0: g (16*K*T floats, written): g[xi, k, t], T = N*tp*tq tiles,
//      t = (n*tp + i)*tq + j
//   1: dy (N*K*P*Q floats, read): the block at (2*i, 2*j), zero outside
//      P x Q
// Layout: local_size_x = 256; invocation (gl_GlobalInvocationID.x = t,
// gl_WorkGroupID.y = k); consecutive invocations write consecutive tiles.
// Dispatch grid: (ceil(T / 256), K, 1).
// Push constants: {uint n, k, p, q, tp, tq} (Go: pushWinogradOutput in
// engine/vulkan/conv_winograd.go, shared with
// winograd_output_transform.comp).
// A = [1 0; 1 1; 1 -1; 0 -1].
// CPU reference: cpu.WinogradGradTransform.

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer BG { float G[]; };
layout(std430, binding = 1) readonly buffer BDY { float DY[]; };

layout(push_constant) uniform Push {
    uint n, k, p, q, tp, tq;
} pc;

void main() {
    uint T = pc.n * pc.tp * pc.tq;
    uint t = gl_GlobalInvocationID.x;
    uint k = gl_WorkGroupID.y;
    if (t >= T) {
        return;
    }
    uint tiles = pc.tp * pc.tq;
    uint img = t / tiles;
    uint r = t - img * tiles;
    uint ti = r / pc.tq;
    uint oh = 2u * ti, ow = 2u * (r - ti * pc.tq);
    uint base = (img * pc.k + k) * pc.p * pc.q + oh * pc.q + ow;
    bool w1 = ow + 1u < pc.q, h1 = oh + 1u < pc.p;
    vec2 e0 = vec2(DY[base], w1 ? DY[base + 1u] : 0.0);
    vec2 e1 = h1 ? vec2(DY[base + pc.q], w1 ? DY[base + pc.q + 1u] : 0.0) : vec2(0.0);
    // A e: rows of 2.
    vec2 ae[4];
    ae[0] = e0;
    ae[1] = e0 + e1;
    ae[2] = e0 - e1;
    ae[3] = -e1;
    uint kt = pc.k * T;
    for (uint a = 0; a < 4; a++) {
        vec2 v = ae[a];
        vec4 o = vec4(v.x, v.x + v.y, v.x - v.y, -v.y);
        for (uint b = 0; b < 4; b++) {
            G[(a * 4u + b) * kt + k * T + t] = o[b];
        }
    }
}
