#version 450
// winograd_filter_transform.comp: the filter side of the Winograd
// F(2x2, 3x3) convolution, U = G g G^T per (output, input) channel pair.
//
// Bindings (storage buffers, set 0):
//   0: u (16*K*C floats, written): u[xi, k, c], or u[xi, c, k] when flip
//   1: w (K*C*9 floats, read): the (K, C, 3, 3) filter
// Layout: local_size_x = 256; invocation i < K*C handles k = i / C,
// c = i % C.
// Dispatch grid: (ceil(K*C / 256), 1, 1).
// Push constants: {uint k, c, flip} (Go: pushWinogradFilter in
// engine/vulkan/conv_winograd.go). flip = 1 (backward-data pass): the
// filter rotated by 180 degrees and stored transposed, (16, C, K).
// G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
// CPU reference: cpu.WinogradFilterTransform.

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer BU { float U[]; };
layout(std430, binding = 1) readonly buffer BW { float Wt[]; };

layout(push_constant) uniform Push {
    uint k, c, flip;
} pc;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= pc.k * pc.c) {
        return;
    }
    uint ko = i / pc.c, ci = i % pc.c;
    vec3 g[3];
    for (uint r = 0; r < 3; r++) {
        for (uint s = 0; s < 3; s++) {
            float v = Wt[i * 9u + r * 3u + s];
            if (pc.flip != 0u) {
                g[2u - r][2u - s] = v;
            } else {
                g[r][s] = v;
            }
        }
    }
    // G g: rows of 3.
    vec3 gg[4];
    gg[0] = g[0];
    gg[1] = 0.5 * (g[0] + g[1] + g[2]);
    gg[2] = 0.5 * (g[0] - g[1] + g[2]);
    gg[3] = g[2];
    uint kc = pc.k * pc.c;
    uint off = pc.flip != 0u ? ci * pc.k + ko : i;
    for (uint a = 0; a < 4; a++) {
        vec3 row = gg[a];
        vec4 o = vec4(row.x, 0.5 * (row.x + row.y + row.z), 0.5 * (row.x - row.y + row.z), row.z);
        for (uint b = 0; b < 4; b++) {
            U[(a * 4u + b) * kc + off] = o[b];
        }
    }
}
