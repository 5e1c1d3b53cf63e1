#version 450
#extension GL_EXT_control_flow_attributes : require
// gemm_regblock.comp: C = alpha * op(A) * op(B) + beta * C for each batch
// entry, register-blocked with no shared memory and no barrier() (the shape
// that suits CPU Vulkan devices such as lavapipe, where a barrier is a
// coroutine switch: see notes/performance.md).
//
// Bindings (storage buffers, set 0):
//   0: C (batch*m*n floats, read when beta != 0, written)
//   1: A (batch*m*k floats, read): (m, k) row-major, or (k, m) when TRANS_A
//   2: B (batch*k*n floats, read): (k, n) row-major, or (n, k) when TRANS_B
// (each binding float16s instead in the f16 variants below)
// Variants (compile-time TM x TN outputs per invocation, so that glslc fully
// unrolls the register block; spec-constant loop bounds would not be):
// variant: 8x8 -DTM=8 -DTN=8
// variant: 8x8_f16c -DTM=8 -DTN=8 -DHALF=1
// variant: 8x8_f16a -DTM=8 -DTN=8 -DHALF=2
// variant: 8x8_f16ac -DTM=8 -DTN=8 -DHALF=3
// variant: 8x8_f16b -DTM=8 -DTN=8 -DHALF=4
// variant: 8x8_f16bc -DTM=8 -DTN=8 -DHALF=5
// variant: 8x8_f16ab -DTM=8 -DTN=8 -DHALF=6
// variant: 8x8_f16abc -DTM=8 -DTN=8 -DHALF=7
// The _f16<operands> variants take the named operands as engine.Float16
// (HALF: bit 0 C, bit 1 A, bit 2 B; half_bind.glsl): loaded exactly,
// multiplied and summed in float32, a float16 C rounded once from
// alpha*acc + beta*C. They are the only GEMM kernels with float16
// operands (engine/vulkan/internal/gemm routes every such product here).
// Specialization constants: 0 WG_X, 1 WG_Y (local size), 2 TRANS_A,
// 3 TRANS_B (0/1).
// Layout: local_size = (WG_X, WG_Y); invocation (x, y) of workgroup (X, Y)
// computes the TM x TN outputs rows Y*WG_Y*TM + y*TM + [0, TM) and columns
// X*WG_X*TN + x*TN + [0, TN) (a contiguous block, so each k step reads TN
// adjacent floats of B and TM adjacent floats of a transposed A).
// Dispatch grid: (ceil(n/(WG_X*TN)), ceil(m/(WG_Y*TM)), batches), with
// batch = gl_WorkGroupID.z + batch0 (engine/vulkan splits batch over several
// dispatches above maxComputeWorkGroupCount[2]).
// Push constants: {uint m, n, k, batch0; float alpha, beta} (Go: pushGemm in
// engine/vulkan/gemm.go). beta == 0 ignores C's contents (NaN included).
// CPU reference: cpu.Gemm / cpu.GemmBatched.

#include "half_bind.glsl"

layout(std430, binding = 0) buffer BC { HT0 C[]; };
layout(std430, binding = 1) readonly buffer BA { HT1 A[]; };
layout(std430, binding = 2) readonly buffer BB { HT2 B[]; };
#define GEMM_LDC(j) HLD0(C, j)
#define GEMM_STC(j, v) HST0(C, j, v)

#include "gemm_regs.glsl"

void main() {
    GEMM_BATCH
    uint aoff = batch * m * k;
    uint boff = batch * k * n;
    uint coff = batch * m * n;
    GEMM_ORIGIN
    // Clamp the rows and columns read at the matrix edge; only valid
    // outputs are written.
    uint ri[TM];
    uint cj[TN];
    [[unroll]] for (uint i = 0; i < TM; i++) {
        ri[i] = min(row0 + i, m - 1u);
    }
    [[unroll]] for (uint j = 0; j < TN; j++) {
        cj[j] = min(col0 + j, n - 1u);
    }
    float acc[TM][TN];
    [[unroll]] for (uint i = 0; i < TM; i++) {
        [[unroll]] for (uint j = 0; j < TN; j++) {
            acc[i][j] = 0.0;
        }
    }
    float a[TM];
    float b[TN];
    for (uint kk = 0; kk < k; kk++) {
        [[unroll]] for (uint i = 0; i < TM; i++) {
            a[i] = TRANS_A != 0 ? HLD1(A, aoff + kk * m + ri[i]) : HLD1(A, aoff + ri[i] * k + kk);
        }
        [[unroll]] for (uint j = 0; j < TN; j++) {
            b[j] = TRANS_B != 0 ? HLD2(B, boff + cj[j] * k + kk) : HLD2(B, boff + kk * n + cj[j]);
        }
        [[unroll]] for (uint i = 0; i < TM; i++) {
            [[unroll]] for (uint j = 0; j < TN; j++) {
                acc[i][j] = fma(a[i], b[j], acc[i][j]);
            }
        }
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        uint r = row0 + i;
        if (r >= m) {
            break;
        }
        [[unroll]] for (uint j = 0; j < TN; j++) {
            uint c = col0 + j;
            if (c >= n) {
                break;
            }
            uint idx = coff + r * n + c;
            GEMM_STORE(idx, acc[i][j])
        }
    }
}
