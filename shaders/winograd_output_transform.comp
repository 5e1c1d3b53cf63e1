#version 450
// winograd_output_transform.comp: the output side of the Winograd
// F(2x2, 3x3) convolution, the 2x2 block Y = A^T m A of every tile from
// the 16 products m[xi] = M[xi, k, t].
//
// Bindings (storage buffers, set 0):
//   0: y (N*K*P*Q floats, written): the part of each 2x2 block inside
//      P x Q
//   1: m (16*K*T floats, read): m[xi, k, t], T = N*tp*tq tiles,
//      t = (n*tp + i)*tq + j
// Layout: local_size_x = 256; invocation (gl_GlobalInvocationID.x = t,
// gl_WorkGroupID.y = k); consecutive invocations read consecutive tiles.
// Dispatch grid: (ceil(T / 256), K, 1).
// Push constants: {uint n, k, p, q, tp, tq} (Go: pushWinogradOutput in
// engine/vulkan/conv_winograd.go).
// A^T = [1 1 1 0; 0 1 -1 -1].
// CPU reference: cpu.WinogradOutputTransform.

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer BY { float Y[]; };
layout(std430, binding = 1) readonly buffer BM { float M[]; };

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
    uint kt = pc.k * T;
    vec4 m[4];
    for (uint a = 0; a < 4; a++) {
        for (uint b = 0; b < 4; b++) {
            m[a][b] = M[(a * 4u + b) * kt + k * T + t];
        }
    }
    // A^T m: rows of 4.
    vec4 am0 = m[0] + m[1] + m[2];
    vec4 am1 = m[1] - m[2] - m[3];
    vec2 o0 = vec2(am0.x + am0.y + am0.z, am0.y - am0.z - am0.w);
    vec2 o1 = vec2(am1.x + am1.y + am1.z, am1.y - am1.z - am1.w);
    uint tiles = pc.tp * pc.tq;
    uint img = t / tiles;
    uint r = t - img * tiles;
    uint ti = r / pc.tq;
    uint oh = 2u * ti, ow = 2u * (r - ti * pc.tq);
    uint base = (img * pc.k + k) * pc.p * pc.q;
    bool w1 = ow + 1u < pc.q;
    Y[base + oh * pc.q + ow] = o0.x;
    if (w1) {
        Y[base + oh * pc.q + ow + 1u] = o0.y;
    }
    if (oh + 1u < pc.p) {
        Y[base + (oh + 1u) * pc.q + ow] = o1.x;
        if (w1) {
            Y[base + (oh + 1u) * pc.q + ow + 1u] = o1.y;
        }
    }
}
