#version 450
// conv2d_forward_tiled.comp: y = conv(x, w) like conv2d_forward.comp (same
// implicit GEMM Y[n] (K, P*Q) = W (K, C*R*S) * im2col(x[n]), columns the
// flat output pixels (n, p, q) of the batch), staged through shared-memory
// tiles with register blocking: the shape for real GPUs (on CPU devices,
// where barrier() is slow, use conv2d_forward). The im2col gather happens
// while staging the B tile; no im2col buffer exists.
//
// Bindings (storage buffers, set 0):
//   0: y (N*K*P*Q floats, written)
//   1: x (N*C*H*W floats, read)
//   2: w (K*C*R*S floats, read)
// Specialization constants: 0 BM, 1 BN, 2 BK (block tile: output channels,
// pixels, reduction depth), 3 TM, 4 TN (outputs per invocation), 5 WG (local
// size; must equal (BM/TM)*(BN/TN) and be a multiple of BN), 6 DIRECT (1:
// 1x1 kernel, stride 1, no padding: plain loads of x). Shared memory:
// (BM+BN)*BK floats, kept under maxComputeSharedMemorySize by engine/vulkan.
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels ty + (BM/TM)*i and pixels
// tx + (BN/TN)*j of the block tile. While staging, invocation t always loads
// pixel column t % BN of the B tile (WG is a multiple of BN), so it decodes
// (n, p, q) once; the reduction index (c, r, s) is decoded per element.
// Dispatch grid: (ceil(N*P*Q / BN), ceil(K / BM), 1).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go; chunk unused
// here).
// CPU reference: cpu.Conv2DForward.

layout(local_size_x_id = 5) in;
layout(constant_id = 0) const uint BM = 64;
layout(constant_id = 1) const uint BN = 64;
layout(constant_id = 2) const uint BK = 16;
layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint WG = 256;
layout(constant_id = 6) const uint DIRECT = 0;

layout(std430, binding = 0) writeonly buffer BY { float Y[]; };
layout(std430, binding = 1) readonly buffer BX { float X[]; };
layout(std430, binding = 2) readonly buffer BW { float Wt[]; };

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
    uint cols = pc.n * PQ;
    uint rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    uint t = gl_LocalInvocationID.x;
    const uint TX = BN / TN;
    const uint TY = BM / TM;
    uint tx = t % TX;
    uint ty = t / TX;

    // The pixel column this invocation stages.
    uint sc = t % BN;
    uint scol = colBase + sc;
    bool scolOK = scol < cols;
    uint simg = 0u, spq = 0u;
    int sih0 = 0, siw0 = 0;
    if (scolOK) {
        simg = scol / PQ;
        spq = scol - simg * PQ;
        uint op = spq / pc.q;
        sih0 = int(op * pc.stride_h) - int(pc.pad_h);
        siw0 = int((spq - op * pc.q) * pc.stride_w) - int(pc.pad_w);
    }
    uint sxbase = simg * pc.c * HW;

    float acc[TM][TN];
    for (uint i = 0; i < TM; i++) {
        for (uint j = 0; j < TN; j++) {
            acc[i][j] = 0.0;
        }
    }
    float a[TM];
    float b[TN];
    for (uint k0 = 0; k0 < CRS; k0 += BK) {
        // A tile: w rows rowBase.., reduction k0.. (row-major in w).
        for (uint e = t; e < BM * BK; e += WG) {
            uint rr = e / BK, kk = e % BK;
            uint gr = rowBase + rr, gk = k0 + kk;
            As[kk * BM + rr] = (gr < pc.k && gk < CRS) ? Wt[gr * CRS + gk] : 0.0;
        }
        // B tile: im2col gather, column sc, rows kk = t / BN, + WG / BN, ...
        for (uint kk = t / BN; kk < BK; kk += WG / BN) {
            uint gk = k0 + kk;
            float v = 0.0;
            if (scolOK && gk < CRS) {
                if (DIRECT != 0) {
                    v = X[sxbase + gk * HW + spq];
                } else {
                    uint ci = gk / RS;
                    uint rs = gk - ci * RS;
                    uint rr = rs / pc.s;
                    int ih = sih0 + int(rr);
                    int iw = siw0 + int(rs - rr * pc.s);
                    if (ih >= 0 && ih < int(pc.h) && iw >= 0 && iw < int(pc.w)) {
                        v = X[sxbase + ci * HW + uint(ih) * pc.w + uint(iw)];
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
    for (uint j = 0; j < TN; j++) {
        uint col = colBase + tx + TX * j;
        if (col >= cols) {
            continue;
        }
        uint img = col / PQ;
        uint ybase = img * pc.k * PQ + (col - img * PQ);
        for (uint i = 0; i < TM; i++) {
            uint kk = rowBase + ty + TY * i;
            if (kk < pc.k) {
                Y[ybase + kk * PQ] = acc[i][j];
            }
        }
    }
}
