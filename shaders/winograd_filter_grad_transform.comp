#version 450
// winograd_filter_grad_transform.comp: the last step of the filter
// gradient through Winograd F(3x3, 2x2), dw[k, c] = G^T m G from the 16
// sums m[xi] = M[xi, k, c].
//
// Bindings (storage buffers, set 0):
//   0: dw (K*C*9 floats, written): the (K, C, 3, 3) filter gradient
//   1: m (16*K*C floats, read)
// Layout: local_size_x = 256; invocation i < K*C handles (k, c) =
// (i / C, i % C); consecutive invocations read consecutive m entries.
// Dispatch grid: (ceil(K*C / 256), 1, 1).
// Push constants: {uint k, c, flip} (Go: pushWinogradFilter in
// engine/vulkan/conv_winograd.go, shared with
// winograd_filter_transform.comp; flip unused here).
// G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1].
// CPU reference: cpu.WinogradFilterGradTransform.

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer BDW { float DW[]; };
layout(std430, binding = 1) readonly buffer BM { float M[]; };

layout(push_constant) uniform Push {
    uint k, c, flip;
} pc;

void main() {
    uint kc = pc.k * pc.c;
    uint i = gl_GlobalInvocationID.x;
    if (i >= kc) {
        return;
    }
    vec4 m[4];
    for (uint a = 0; a < 4; a++) {
        for (uint b = 0; b < 4; b++) {
            m[a][b] = M[(a * 4u + b) * kc + i];
        }
    }
    // G^T m: rows of 4.
    vec4 q[3];
    q[0] = m[0] + 0.5 * (m[1] + m[2]);
    q[1] = 0.5 * (m[1] - m[2]);
    q[2] = 0.5 * (m[1] + m[2]) + m[3];
    for (uint r = 0; r < 3; r++) {
        vec4 v = q[r];
        DW[i * 9u + r * 3u + 0u] = v.x + 0.5 * (v.y + v.z);
        DW[i * 9u + r * 3u + 1u] = 0.5 * (v.y - v.z);
        DW[i * 9u + r * 3u + 2u] = 0.5 * (v.y + v.z) + v.w;
    }
}
