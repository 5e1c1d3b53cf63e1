#version 450
// gemm_tiled.comp: C = alpha * op(A) * op(B) + beta * C for each batch
// entry; shared-memory tiles with register blocking, the shape for real
// GPUs (on CPU devices use gemm_regblock).
//
// Bindings (storage buffers, set 0):
//   0: C (batch*m*n floats, read when beta != 0, written)
//   1: A (batch*m*k floats, read): (m, k) row-major, or (k, m) when TRANS_A
//   2: B (batch*k*n floats, read): (k, n) row-major, or (n, k) when TRANS_B
// Specialization constants: 0 BM, 1 BN, 2 BK (block tile), 3 TM, 4 TN
// (outputs per invocation), 5 TRANS_A, 6 TRANS_B (0/1), 7 WG (local size,
// must equal (BM/TM)*(BN/TN)). Shared memory: (BM+BN)*BK floats, which
// engine/vulkan keeps under maxComputeSharedMemorySize.
// Layout: local_size_x = WG; invocation t = (ty, tx), tx = t % (BN/TN),
// ty = t / (BN/TN), computes rows ty + (BM/TM)*i and columns tx + (BN/TN)*j
// of the block tile (strided, so shared-memory reads are conflict-light
// and global loads coalesced).
// Dispatch grid: (ceil(n/BN), ceil(m/BM), batches), batch = gl_WorkGroupID.z
// + batch0.
// Push constants: {uint m, n, k, batch0; float alpha, beta} (Go: pushGemm in
// engine/vulkan/gemm.go). beta == 0 ignores C's contents.
// CPU reference: cpu.Gemm / cpu.GemmBatched.

layout(local_size_x_id = 7) in;
layout(constant_id = 0) const uint BM = 64;
layout(constant_id = 1) const uint BN = 64;
layout(constant_id = 2) const uint BK = 16;
layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint TRANS_A = 0;
layout(constant_id = 6) const uint TRANS_B = 0;
layout(constant_id = 7) const uint WG = 256;

layout(std430, binding = 0) buffer BC { float C[]; };
layout(std430, binding = 1) readonly buffer BA { float A[]; };
layout(std430, binding = 2) readonly buffer BB { float B[]; };

layout(push_constant) uniform Push {
    uint m;
    uint n;
    uint k;
    uint batch0;
    float alpha;
    float beta;
} pc;

shared float As[BK * BM];
shared float Bs[BK * BN];

void main() {
    uint m = pc.m, n = pc.n, k = pc.k;
    uint batch = gl_WorkGroupID.z + pc.batch0;
    uint aoff = batch * m * k;
    uint boff = batch * k * n;
    uint coff = batch * m * n;
    uint rowBase = gl_WorkGroupID.y * BM;
    uint colBase = gl_WorkGroupID.x * BN;
    uint t = gl_LocalInvocationID.x;
    const uint TX = BN / TN;
    const uint TY = BM / TM;
    uint tx = t % TX;
    uint ty = t / TX;

    float acc[TM][TN];
    for (uint i = 0; i < TM; i++) {
        for (uint j = 0; j < TN; j++) {
            acc[i][j] = 0.0;
        }
    }
    float a[TM];
    float b[TN];
    for (uint k0 = 0; k0 < k; k0 += BK) {
        // Stage the A tile (BM x BK) and B tile (BK x BN), zero outside.
        for (uint e = t; e < BM * BK; e += WG) {
            uint r, kk;
            if (TRANS_A != 0) {
                kk = e / BM; r = e % BM;
            } else {
                r = e / BK; kk = e % BK;
            }
            uint gr = rowBase + r, gk = k0 + kk;
            float v = 0.0;
            if (gr < m && gk < k) {
                v = TRANS_A != 0 ? A[aoff + gk * m + gr] : A[aoff + gr * k + gk];
            }
            As[kk * BM + r] = v;
        }
        for (uint e = t; e < BN * BK; e += WG) {
            uint c, kk;
            if (TRANS_B != 0) {
                c = e / BK; kk = e % BK;
            } else {
                kk = e / BN; c = e % BN;
            }
            uint gc = colBase + c, gk = k0 + kk;
            float v = 0.0;
            if (gc < n && gk < k) {
                v = TRANS_B != 0 ? B[boff + gc * k + gk] : B[boff + gk * n + gc];
            }
            Bs[kk * BN + c] = v;
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
    for (uint i = 0; i < TM; i++) {
        uint r = rowBase + ty + TY * i;
        if (r >= m) {
            continue;
        }
        for (uint j = 0; j < TN; j++) {
            uint c = colBase + tx + TX * j;
            if (c >= n) {
                continue;
            }
            uint idx = coff + r * n + c;
            float v = pc.alpha * acc[i][j];
            if (pc.beta != 0.0) {
                v += pc.beta * C[idx];
            }
            C[idx] = v;
        }
    }
}
