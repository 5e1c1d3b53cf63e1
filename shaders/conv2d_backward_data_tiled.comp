#version 450
// conv2d_backward_data_tiled.comp: dx = d(sum y*dy)/dx of conv2d_forward,
// overwriting dx, like conv2d_backward_data.comp (implicit GEMM gather:
// rows input channels c, columns the flat input pixels (n, h, w), reduction
// over (k, r, s)), staged through shared-memory tiles with register
// blocking: the shape for real GPUs (on CPU devices use
// conv2d_backward_data). Taps that miss dy (stride > 1) are staged as
// zeros, so engine/vulkan uses this kernel for stride 1 only; it is correct
// for any stride.
//
// Bindings (storage buffers, set 0):
//   0: dx (N*C*H*W floats, written)
//   1: dy (N*K*P*Q floats, read)
//   2: w  (K*C*R*S floats, read)
// Specialization constants: 0 BM, 1 BN, 2 BK (block tile: input channels,
// pixels, reduction depth), 3 TM, 4 TN (outputs per invocation), 5 WG (local
// size; must equal (BM/TM)*(BN/TN) and be a multiple of BN), 6 DIRECT (1:
// 1x1 kernel, stride 1, no padding). Shared memory: (BM+BN)*BK floats.
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes channels ty + (BM/TM)*i and pixels
// tx + (BN/TN)*j of the block tile. While staging, invocation t always loads
// pixel column t % BN of the B tile, decoding (n, h, w) once; the reduction
// index k*R*S + r*S + s is decoded per element.
// Dispatch grid: (ceil(N*H*W / BN), ceil(C / BM), 1).
// Push constants: {uint n, c, h, w, k, r, s, p, q, stride_h, stride_w,
// pad_h, pad_w, chunk} (Go: pushConv in engine/vulkan/conv.go; chunk unused
// here).
// CPU reference: cpu.Conv2DBackwardData.

layout(local_size_x_id = 5) in;
layout(constant_id = 0) const uint BM = 64;
layout(constant_id = 1) const uint BN = 64;
layout(constant_id = 2) const uint BK = 16;
layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint WG = 256;
layout(constant_id = 6) const uint DIRECT = 0;

layout(std430, binding = 0) writeonly buffer BDX { float DX[]; };
layout(std430, binding = 1) readonly buffer BDY { float DY[]; };
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
    uint KRS = pc.k * RS;
    uint cols = pc.n * HW;
    uint rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    uint t = gl_LocalInvocationID.x;
    const uint TX = BN / TN;
    const uint TY = BM / TM;
    uint tx = t % TX;
    uint ty = t / TX;

    // The input pixel column this invocation stages.
    uint sc = t % BN;
    uint scol = colBase + sc;
    bool scolOK = scol < cols;
    uint simg = 0u, shw = 0u;
    int sth = 0, stw = 0;  // h + pad_h, w + pad_w
    if (scolOK) {
        simg = scol / HW;
        shw = scol - simg * HW;
        uint ih = shw / pc.w;
        sth = int(ih + pc.pad_h);
        stw = int(shw - ih * pc.w + pc.pad_w);
    }
    uint sdybase = simg * pc.k * PQ;

    float acc[TM][TN];
    for (uint i = 0; i < TM; i++) {
        for (uint j = 0; j < TN; j++) {
            acc[i][j] = 0.0;
        }
    }
    float a[TM];
    float b[TN];
    for (uint k0 = 0; k0 < KRS; k0 += BK) {
        // A tile: W^T, rows c = rowBase.., reduction (k, r, s) = k0..
        for (uint e = t; e < BM * BK; e += WG) {
            uint rr = e / BK, kk = e % BK;
            uint gr = rowBase + rr, gk = k0 + kk;
            float v = 0.0;
            if (gr < pc.c && gk < KRS) {
                uint ko = gk / RS;
                v = Wt[ko * CRS + gr * RS + (gk - ko * RS)];
            }
            As[kk * BM + rr] = v;
        }
        // B tile: dy gathered at the tap (r, s) of each reduction index.
        for (uint kk = t / BN; kk < BK; kk += WG / BN) {
            uint gk = k0 + kk;
            float v = 0.0;
            if (scolOK && gk < KRS) {
                uint ko = gk / RS;
                if (DIRECT != 0) {
                    v = DY[sdybase + ko * PQ + shw];
                } else {
                    uint rs = gk - ko * RS;
                    uint rr = rs / pc.s;
                    int ty2 = sth - int(rr);
                    int tx2 = stw - int(rs - rr * pc.s);
                    int op = ty2 / int(pc.stride_h);
                    int oq = tx2 / int(pc.stride_w);
                    if (ty2 >= 0 && tx2 >= 0 && op * int(pc.stride_h) == ty2 && oq * int(pc.stride_w) == tx2 &&
                        op < int(pc.p) && oq < int(pc.q)) {
                        v = DY[sdybase + ko * PQ + uint(op) * pc.q + uint(oq)];
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
        uint img = col / HW;
        uint dxbase = img * pc.c * HW + (col - img * HW);
        for (uint i = 0; i < TM; i++) {
            uint ci = rowBase + ty + TY * i;
            if (ci < pc.c) {
                DX[dxbase + ci * HW] = acc[i][j];
            }
        }
    }
}
