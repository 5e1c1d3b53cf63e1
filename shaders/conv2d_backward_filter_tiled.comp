#version 450
// conv2d_backward_filter_tiled.comp: dw of conv2d_forward like
// conv2d_backward_filter.comp (implicit GEMM dW (K, C*R*S) = sum over flat
// output pixels t = (n, p, q) of dy[n,k,p,q] * im2col(x)[(c,r,s), t], the
// reduction split in chunks of pc.chunk pixels, one per gl_WorkGroupID.z,
// each writing its own partial block that engine/vulkan adds in a fixed
// order), staged through shared-memory tiles with register blocking: the
// shape for real GPUs (on CPU devices use conv2d_backward_filter).
//
// Bindings (storage buffers, set 0):
//   0: partial (chunks*K*C*R*S floats, written): block z at z*K*C*R*S
//   1: dy (N*K*P*Q floats, read)
//   2: x  (N*C*H*W floats, read)
// Specialization constants: 0 BM, 1 BN, 2 BK (block tile: output channels,
// taps, pixels of reduction), 3 TM, 4 TN (outputs per invocation), 5 WG
// (local size; must equal (BM/TM)*(BN/TN) and be a multiple of BN and of
// BK), 6 DIRECT (1: 1x1 kernel, stride 1, no padding). Shared memory:
// (BM+BN)*BK floats.
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels ty + (BM/TM)*i and taps
// tx + (BN/TN)*j of the block tile. While staging, invocation t loads the
// pixel t % BK of the A tile (decoded once per tile) and the tap column
// t % BN of the B tile (decoded once).
// Dispatch grid: (ceil(C*R*S / BN), ceil(K / BM), chunks).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go).
// CPU reference: cpu.Conv2DBackwardFilter.

layout(local_size_x_id = 5) in;
layout(constant_id = 0) const uint BM = 64;
layout(constant_id = 1) const uint BN = 64;
layout(constant_id = 2) const uint BK = 16;
layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint WG = 256;
layout(constant_id = 6) const uint DIRECT = 0;

layout(std430, binding = 0) writeonly buffer BDW { float DW[]; };
layout(std430, binding = 1) readonly buffer BDY { float DY[]; };
layout(std430, binding = 2) readonly buffer BX { float X[]; };

layout(push_constant) uniform Push {
    uint n, c, h, w, k, r, s, p, q, stride_h, stride_w, pad_h, pad_w, chunk;
} pc;

shared float As[BK * BM];
shared float Bs[BK * BN];

void main() {
    uint PQ = pc.p * pc.q;
    uint HW = pc.h * pc.w;
    uint RS = pc.r * pc.s;
    uint CRS = pc.c * RS;
    uint CHW = pc.c * HW;
    uint total = pc.n * PQ;
    uint rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    uint t = gl_LocalInvocationID.x;
    const uint TX = BN / TN;
    const uint TY = BM / TM;
    uint tx = t % TX;
    uint ty = t / TX;
    uint t0 = gl_WorkGroupID.z * pc.chunk;
    uint t1 = min(t0 + pc.chunk, total);

    // The tap column this invocation stages in B.
    uint sc = t % BN;
    uint stap = colBase + sc;
    bool stapOK = stap < CRS;
    uint sxc = 0u;
    int sr = 0, ss = 0;  // r - pad_h, s - pad_w
    if (stapOK) {
        uint ci = stap / RS;
        uint rs = stap - ci * RS;
        uint rr = rs / pc.s;
        sxc = ci * HW;
        sr = int(rr) - int(pc.pad_h);
        ss = int(rs - rr * pc.s) - int(pc.pad_w);
    }
    // The pixel row this invocation stages in A.
    uint ak = t % BK;

    float acc[TM][TN];
    for (uint i = 0; i < TM; i++) {
        for (uint j = 0; j < TN; j++) {
            acc[i][j] = 0.0;
        }
    }
    float a[TM];
    float b[TN];
    for (uint k0 = t0; k0 < t1; k0 += BK) {
        // A tile: dy rows k = rowBase.., pixels k0..
        {
            uint gt = k0 + ak;
            bool ok = gt < t1;
            uint img = ok ? gt / PQ : 0u;
            uint dyb = img * pc.k * PQ + (gt - img * PQ);
            for (uint rr = t / BK; rr < BM; rr += WG / BK) {
                uint gr = rowBase + rr;
                As[ak * BM + rr] = (ok && gr < pc.k) ? DY[dyb + gr * PQ] : 0.0;
            }
        }
        // B tile: im2col(x)^T, pixels k0.. by taps colBase..
        for (uint kk = t / BN; kk < BK; kk += WG / BN) {
            uint gt = k0 + kk;
            float v = 0.0;
            if (stapOK && gt < t1) {
                uint img = gt / PQ;
                uint pq = gt - img * PQ;
                if (DIRECT != 0) {
                    v = X[img * CHW + sxc + pq];
                } else {
                    uint op = pq / pc.q;
                    int ih = int(op * pc.stride_h) + sr;
                    int iw = int((pq - op * pc.q) * pc.stride_w) + ss;
                    if (ih >= 0 && ih < int(pc.h) && iw >= 0 && iw < int(pc.w)) {
                        v = X[img * CHW + sxc + uint(ih) * pc.w + uint(iw)];
                    }
                }
            }
            Bs[kk * BN + sc] = v;
        }
        barrier();
        for (uint kk = 0; kk < BK; kk++) {
            for (uint i = 0; i < TM; i++) {
                a[i] = As[kk * BM + ty + TY * i];
            }
            for (uint j = 0; j < TN; j++) {
                b[j] = Bs[kk * BN + tx + TX * j];
            }
            for (uint i = 0; i < TM; i++) {
                for (uint j = 0; j < TN; j++) {
                    acc[i][j] = fma(a[i], b[j], acc[i][j]);
                }
            }
        }
        barrier();
    }
    uint zoff = gl_WorkGroupID.z * pc.k * CRS;
    for (uint i = 0; i < TM; i++) {
        uint kk = rowBase + ty + TY * i;
        if (kk >= pc.k) {
            continue;
        }
        for (uint j = 0; j < TN; j++) {
            uint col = colBase + tx + TX * j;
            if (col < CRS) {
                DW[zoff + kk * CRS + col] = acc[i][j];
            }
        }
    }
}
