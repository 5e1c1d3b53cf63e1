#version 450
// winograd_input_transform.comp: the input side of the Winograd
// F(2x2, 3x3) convolution, V = B^T d B for the 4x4 patch d of every 2x2
// output tile and channel.
//
// Bindings (storage buffers, set 0):
//   0: v (16*C*T floats, written): v[xi, c, t], T = N*tp*tq tiles,
//      t = (n*tp + i)*tq + j
//   1: x (N*C*H*W floats, read)
// Layout: local_size_x = 256; invocation (gl_GlobalInvocationID.x = t,
// gl_WorkGroupID.y = c) reads x[n, c] at rows 2*i - pad_h .. +3 and columns
// 2*j - pad_w .. +3 (zero outside); consecutive invocations write
// consecutive tiles.
// Dispatch grid: (ceil(T / 256), C, 1).
// Push constants: {uint n, c, h, w, pad_h, pad_w, tp, tq} (Go:
// pushWinogradInput in engine/vulkan/conv_winograd.go).
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
// CPU reference: cpu.WinogradInputTransform.

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer BV { float V[]; };
layout(std430, binding = 1) readonly buffer BX { float X[]; };

layout(push_constant) uniform Push {
    uint n, c, h, w, pad_h, pad_w, tp, tq;
} pc;

void main() {
    uint T = pc.n * pc.tp * pc.tq;
    uint t = gl_GlobalInvocationID.x;
    uint c = gl_WorkGroupID.y;
    if (t >= T) {
        return;
    }
    uint tiles = pc.tp * pc.tq;
    uint img = t / tiles;
    uint r = t - img * tiles;
    uint ti = r / pc.tq;
    int h0 = int(2u * ti) - int(pc.pad_h);
    int w0 = int(2u * (r - ti * pc.tq)) - int(pc.pad_w);
    uint base = (img * pc.c + c) * pc.h * pc.w;
    vec4 d[4];
    for (int a = 0; a < 4; a++) {
        int ih = h0 + a;
        bool rowOK = ih >= 0 && ih < int(pc.h);
        for (int b = 0; b < 4; b++) {
            int iw = w0 + b;
            d[a][b] = (rowOK && iw >= 0 && iw < int(pc.w)) ? X[base + uint(ih) * pc.w + uint(iw)] : 0.0;
        }
    }
    // B^T d: rows of 4.
    vec4 bd[4];
    bd[0] = d[0] - d[2];
    bd[1] = d[1] + d[2];
    bd[2] = d[2] - d[1];
    bd[3] = d[1] - d[3];
    uint ct = pc.c * T;
    for (uint a = 0; a < 4; a++) {
        vec4 q = bd[a];
        vec4 o = vec4(q.x - q.z, q.y + q.z, q.z - q.y, q.y - q.w);
        for (uint b = 0; b < 4; b++) {
            V[(a * 4u + b) * ct + c * T + t] = o[b];
        }
    }
}
