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
// (BM+1)*BK + (BN+1)*BK floats (rows padded by one float against bank
// conflicts).
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels ty + (BM/TM)*i and taps
// tx + (BN/TN)*j of the block tile. While staging, invocation t loads pixel
// t % BK of both tiles (decoded once per tile; neighbouring invocations
// read neighbouring pixels), in A the channels t / BK + (WG/BK)*u and in B
// the taps t / BK + (WG/BK)*u (decoded once). The Go side makes pc.chunk a
// multiple of BK, so only a chunk's last tile can be partial.
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

// Row strides of the shared tiles, padded by one float so that the 16
// pixels staged by neighbouring invocations fall in different banks.
const uint BMP = BM + 1u;
const uint BNP = BN + 1u;
shared float As[BK * BMP];
shared float Bs[BK * BNP];

// Taps staged per pass over the B tile, and passes.
const uint TPS = WG / BK;
const uint NTAP = (BN + TPS - 1u) / TPS;

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

    // Staging: invocation t loads pixel ak = t % BK of each tile (decoded
    // once per tile), so that neighbouring invocations read neighbouring
    // pixels of dy and x (coalesced); in B the taps t / BK + TPS*u, decoded
    // here once.
    uint ak = t % BK;
    uint tb = t / BK;
    uint sxc[NTAP];  // offset of x[0, c, 0, 0]
    int sr[NTAP];    // r - pad_h
    int ss[NTAP];    // s - pad_w
    bool sok[NTAP];
    for (uint u = 0; u < NTAP; u++) {
        uint cc = tb + TPS * u;
        uint tap = colBase + cc;
        sok[u] = cc < BN && tap < CRS;
        uint ci = 0u, rr = 0u, rs = 0u;
        if (sok[u]) {
            ci = tap / RS;
            rs = tap - ci * RS;
            rr = rs / pc.s;
        }
        sxc[u] = ci * HW;
        sr[u] = int(rr) - int(pc.pad_h);
        ss[u] = int(rs - rr * pc.s) - int(pc.pad_w);
    }

    float acc[TM][TN];
    for (uint i = 0; i < TM; i++) {
        for (uint j = 0; j < TN; j++) {
            acc[i][j] = 0.0;
        }
    }
    float a[TM];
    float b[TN];
    for (uint k0 = t0; k0 < t1; k0 += BK) {
        uint gt = k0 + ak;
        bool ok = gt < t1;
        uint img = ok ? gt / PQ : 0u;
        uint pq = ok ? gt - img * PQ : 0u;
        // A tile: dy rows k = rowBase.., pixels k0..
        uint dyb = img * pc.k * PQ + pq;
        for (uint rr = tb; rr < BM; rr += TPS) {
            uint gr = rowBase + rr;
            As[ak * BMP + rr] = (ok && gr < pc.k) ? DY[dyb + gr * PQ] : 0.0;
        }
        // B tile: im2col(x)^T, pixels k0.. by taps colBase..
        uint xb = img * CHW;
        uint op = pq / pc.q;
        int ihb = int(op * pc.stride_h);
        int iwb = int((pq - op * pc.q) * pc.stride_w);
        for (uint u = 0; u < NTAP; u++) {
            uint cc = tb + TPS * u;
            if (cc < BN) {
                float v = 0.0;
                if (ok && sok[u]) {
                    if (DIRECT != 0) {
                        v = X[xb + sxc[u] + pq];
                    } else {
                        int ih = ihb + sr[u];
                        int iw = iwb + ss[u];
                        if (ih >= 0 && ih < int(pc.h) && iw >= 0 && iw < int(pc.w)) {
                            v = X[xb + sxc[u] + uint(ih) * pc.w + uint(iw)];
                        }
                    }
                }
                Bs[ak * BNP + cc] = v;
            }
        }
        barrier();
        for (uint kk = 0; kk < BK; kk++) {
            for (uint i = 0; i < TM; i++) {
                a[i] = As[kk * BMP + ty + TY * i];
            }
            for (uint j = 0; j < TN; j++) {
                b[j] = Bs[kk * BNP + tx + TX * j];
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
