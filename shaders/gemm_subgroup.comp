#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require
// gemm_subgroup.comp: C = alpha * op(A) * op(B) + beta * C for each batch
// entry: the GEMM for CPU Vulkan devices (lavapipe). There a subgroup is one
// SIMD vector of SG invocations and every buffer load with a non-uniform
// address is a loop over the SIMD lanes, so loads, not multiply-adds, cost
// the time. The SG invocations of a subgroup share their TM rows of C: each
// lane loads TM/SG of the TM values of op(A) for the current k and
// subgroupBroadcast hands them to the others, so each k step costs
// TM/SG + TN loads per invocation for TM*TN multiply-adds. No shared memory,
// no barrier().
//
// Bindings (storage buffers, set 0):
//   0: C (batch*m*n floats, read when beta != 0, written)
//   1: A (batch*m*k floats, read): (m, k) row-major, or (k, m) when TRANS_A
//   2: B (batch*k*n floats, read): (k, n) row-major, or (n, k) when TRANS_B
// Variants (compile-time TM x TN outputs per invocation; TM a multiple of SG):
// variant: 32x16 -DTM=32 -DTN=16
// variant: 16x16 -DTM=16 -DTN=16
// SG is 8 (the subgroup size lavapipe reports on 256-bit SIMD); engine/vulkan
// uses this kernel only on devices whose subgroup size is 8 with ballot.
// Specialization constants: 0 WG_Y (local size y), 1 TRANS_A, 2 TRANS_B (0/1).
// Layout: local_size = (SG, WG_Y), so a subgroup is one row y of the
// workgroup; invocation (x, y) of workgroup (X, Y) computes rows
// (Y*WG_Y + y)*TM + [0, TM) and columns (X*SG + x)*TN + [0, TN) of C.
// Dispatch grid: (ceil(n/(SG*TN)), ceil(m/(WG_Y*TM)), batches), batch =
// gl_WorkGroupID.z + batch0.
// Push constants: {uint m, n, k, batch0; float alpha, beta} (Go: pushGemm in
// engine/vulkan/gemm.go). beta == 0 ignores C's contents (NaN included).
// CPU reference: cpu.Gemm / cpu.GemmBatched.

#define SG 8
#define RPL (TM / SG) // rows of op(A) loaded per lane

layout(local_size_x = SG, local_size_y_id = 0) in;
layout(constant_id = 0) const uint WG_Y = 8;
layout(constant_id = 1) const uint TRANS_A = 0;
layout(constant_id = 2) const uint TRANS_B = 0;

layout(std430, binding = 0) buffer BC { float C[]; };
layout(std430, binding = 1) readonly buffer BA { float A[]; };
layout(std430, binding = 2) readonly buffer BB { float B[]; };

#include "gemm_regs.glsl"

float acc[TM][TN];
float av[RPL];
float b[TN];

// BC1(i) adds op(A)[row0+i, kk] * b[j] to row i; the row's value lives in
// av[i / SG] of lane i % SG (both compile-time constants, as
// subgroupBroadcast requires).
#define BC1(i) { float a_ = subgroupBroadcast(av[(i) / SG], (i) % SG); \
    [[unroll]] for (uint j = 0; j < TN; j++) { acc[i][j] = fma(a_, b[j], acc[i][j]); } }
#define BC8(i) BC1(i) BC1((i) + 1) BC1((i) + 2) BC1((i) + 3) BC1((i) + 4) BC1((i) + 5) BC1((i) + 6) BC1((i) + 7)

void main() {
    GEMM_BATCH
    uint aoff = batch * m * k;
    uint boff = batch * k * n;
    uint coff = batch * m * n;
    uint lane = gl_LocalInvocationID.x;
    uint row0 = (gl_WorkGroupID.y * WG_Y + gl_LocalInvocationID.y) * TM;
    uint col0 = (gl_WorkGroupID.x * SG + lane) * TN;
    // Every lane stays active (subgroupBroadcast needs them all); reads are
    // clamped to the matrix and only valid outputs are written.
    uint ra[RPL];
    [[unroll]] for (uint s = 0; s < RPL; s++) {
        ra[s] = min(row0 + s * SG + lane, m - 1u);
    }
    uint cb[TN];
    [[unroll]] for (uint j = 0; j < TN; j++) {
        cb[j] = min(col0 + j, n - 1u);
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        [[unroll]] for (uint j = 0; j < TN; j++) {
            acc[i][j] = 0.0;
        }
    }
    for (uint kk = 0; kk < k; kk++) {
        [[unroll]] for (uint s = 0; s < RPL; s++) {
            av[s] = TRANS_A != 0 ? A[aoff + kk * m + ra[s]] : A[aoff + ra[s] * k + kk];
        }
        [[unroll]] for (uint j = 0; j < TN; j++) {
            b[j] = TRANS_B != 0 ? B[boff + cb[j] * k + kk] : B[boff + kk * n + cb[j]];
        }
        BC8(0)
        BC8(8)
#if TM > 16
        BC8(16)
        BC8(24)
#endif
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        uint r = row0 + i;
        [[unroll]] for (uint j = 0; j < TN; j++) {
            uint c = col0 + j;
            if (r < m && c < n) {
                uint idx = coff + r * n + c;
                GEMM_STORE(idx, acc[i][j])
            }
        }
    }
}
