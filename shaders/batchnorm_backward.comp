#version 450
// batchnorm_backward.comp: backward of batchnorm_forward_train for one
// channel per workgroup. With xhat = (x - saveMean)*saveInvStd and
// g = dy masked by y > 0 when RELU:
//   dbeta = sum g,  dgamma = sum g*xhat   (over N and HW; per invocation in
//   order, then a fixed-order shared-memory tree: deterministic)
//   dx = gamma*saveInvStd/m * (m*g - dbeta - xhat*dgamma),  m = N*HW.
//
// Bindings (storage buffers, set 0):
//   0: dx         (N*C*HW floats, written)
//   1: dgamma     (C floats, written when HAS_DGAMMA; else any buffer)
//   2: dbeta      (C floats, written when HAS_DBETA; else any buffer)
//   3: dy         (N*C*HW floats, read)
//   4: x          (N*C*HW floats, read)
//   5: y          (N*C*HW floats, read when RELU; else any buffer)
//   6: gamma      (C floats, read when HAS_GAMMA; else any buffer)
//   7: saveMean   (C floats, read)
//   8: saveInvStd (C floats, read)
// Specialization constants: 0 LOCAL (workgroup size, a power of two),
// 1 RELU, 2 HAS_GAMMA, 3 HAS_DGAMMA, 4 HAS_DBETA (0/1).
// Layout: local_size_x = LOCAL; element e of the channel visited by
// invocation e % LOCAL (as batchnorm_forward_train).
// Dispatch grid: C workgroups spread over x and y (grid1D, one channel each).
// Push constants: {uint n, c, hw; float eps, momentum} (Go: pushBatchNorm in
// engine/vulkan/batchnorm.go; eps and momentum unused).
// CPU reference: cpu.BatchNormBackward.

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LOCAL = 64;
layout(constant_id = 1) const uint RELU = 0;
layout(constant_id = 2) const uint HAS_GAMMA = 1;
layout(constant_id = 3) const uint HAS_DGAMMA = 1;
layout(constant_id = 4) const uint HAS_DBETA = 1;

layout(std430, binding = 0) writeonly buffer B0 { float dx[]; };
layout(std430, binding = 1) buffer B1 { float dgamma[]; };
layout(std430, binding = 2) buffer B2 { float dbeta[]; };
layout(std430, binding = 3) readonly buffer B3 { float dy[]; };
layout(std430, binding = 4) readonly buffer B4 { float x[]; };
layout(std430, binding = 5) readonly buffer B5 { float y[]; };
layout(std430, binding = 6) readonly buffer B6 { float gamma[]; };
layout(std430, binding = 7) readonly buffer B7 { float saveMean[]; };
layout(std430, binding = 8) readonly buffer B8 { float saveInvStd[]; };

#include "batchnorm_fused_push.glsl"

#include "treereduce.glsl"

shared float redG[LOCAL];
shared float redGX[LOCAL];

#include "grid1d.glsl"

void main() {
    GRID1D_GROUP_BOUND(ch, pc.c)
    uint t = gl_LocalInvocationID.x;
    uint m = pc.n * pc.hw;
    float mean = saveMean[ch];
    float invStd = saveInvStd[ch];
    float sg = 0.0;
    float sgx = 0.0;
    for (uint e = t; e < m; e += LOCAL) {
        uint i = e / pc.hw;
        uint idx = (i * pc.c + ch) * pc.hw + (e - i * pc.hw);
        float g = dy[idx];
        if (RELU != 0u && !(y[idx] > 0.0)) {
            g = 0.0;
        }
        sg += g;
        sgx += g * ((x[idx] - mean) * invStd);
    }
    TREE_SUM2(redG, sg, redGX, sgx, t, LOCAL / 2u);
    sg = redG[0];
    sgx = redGX[0];
    if (t == 0u) {
        if (HAS_DBETA != 0u) {
            dbeta[ch] = sg;
        }
        if (HAS_DGAMMA != 0u) {
            dgamma[ch] = sgx;
        }
    }
    float gm = HAS_GAMMA != 0u ? gamma[ch] : 1.0;
    float fm = float(m);
    float k = gm * invStd / fm;
    for (uint e = t; e < m; e += LOCAL) {
        uint i = e / pc.hw;
        uint idx = (i * pc.c + ch) * pc.hw + (e - i * pc.hw);
        float g = dy[idx];
        if (RELU != 0u && !(y[idx] > 0.0)) {
            g = 0.0;
        }
        float xhat = (x[idx] - mean) * invStd;
        dx[idx] = k * (fm * g - sg - xhat * sgx);
    }
}
