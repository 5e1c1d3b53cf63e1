#version 450
#extension GL_EXT_control_flow_attributes : require
// gemm_vec4.comp: C = alpha * op(A) * op(B) + beta * C for each batch entry,
// register-blocked with vec4 loads, no shared memory and no barrier(): the
// fast kernel for CPU Vulkan devices (lavapipe), where every non-uniform
// buffer load is a per-invocation loop, so it pays to load 4 floats at a
// time and reuse each load for TM or TN multiply-adds. Needs m, n and k
// multiples of 4 (engine/vulkan uses gemm_regblock otherwise).
//
// Bindings (storage buffers, set 0):
//   0: C (batch*m*n floats, read when beta != 0, written)
//   1: A (batch*m*k floats, read as vec4): (m, k) row-major, or (k, m) when TRANS_A
//   2: B (batch*k*n floats, read as vec4): (k, n) row-major, or (n, k) when TRANS_B
// Variants (compile-time TM x TN outputs per invocation, TM and TN multiples
// of 4, fully unrolled):
// variant: 8x8 -DTM=8 -DTN=8
// Specialization constants: 0 WG_X, 1 WG_Y (local size), 2 TRANS_A,
// 3 TRANS_B (0/1).
// Layout: local_size = (WG_X, WG_Y); invocation (x, y) of workgroup (X, Y)
// computes rows Y*WG_Y*TM + y*TM + [0, TM) and columns X*WG_X*TN + x*TN +
// [0, TN) of C; each step of 4 along k loads a TM x 4 block of op(A) and a
// 4 x TN block of op(B) as vec4s and does 4*TM*TN multiply-adds.
// Dispatch grid: (ceil(n/(WG_X*TN)), ceil(m/(WG_Y*TM)), batches), batch =
// gl_WorkGroupID.z + batch0.
// Push constants: {uint m, n, k, batch0; float alpha, beta} (Go: pushGemm in
// engine/vulkan/gemm.go). beta == 0 ignores C's contents (NaN included).
// CPU reference: cpu.Gemm / cpu.GemmBatched.

layout(std430, binding = 0) buffer BC { float C[]; };
layout(std430, binding = 1) readonly buffer BA { vec4 A4[]; };
layout(std430, binding = 2) readonly buffer BB { vec4 B4[]; };

#include "gemm_regs.glsl"

void main() {
    GEMM_BATCH
    uint aoff = batch * m * k / 4u; // in vec4s (m, n, k are multiples of 4)
    uint boff = batch * k * n / 4u;
    uint coff = batch * m * n;
    GEMM_ORIGIN
    // Rows / columns read are clamped at the edge (m, n are multiples of 4,
    // so clamped vec4 starts stay aligned); only valid outputs are written.
    vec4 acc[TM][TN / 4];
    [[unroll]] for (uint i = 0; i < TM; i++) {
        [[unroll]] for (uint j = 0; j < TN / 4; j++) {
            acc[i][j] = vec4(0.0);
        }
    }
    vec4 a[TM];      // a[i][q] = op(A)[row0+i, kk+q]
    vec4 b[4][TN / 4]; // b[q][j][c] = op(B)[kk+q, col0+4j+c]
    for (uint kk = 0; kk < k; kk += 4u) {
        if (TRANS_A == 0) {
            [[unroll]] for (uint i = 0; i < TM; i++) {
                uint r = min(row0 + i, m - 1u);
                a[i] = A4[aoff + (r * k + kk) / 4u];
            }
        } else {
            // A stored (k, m): rows kk+q, 4 adjacent output rows per vec4.
            [[unroll]] for (uint q = 0; q < 4; q++) {
                [[unroll]] for (uint i4 = 0; i4 < TM / 4; i4++) {
                    uint r = min(row0 + 4u * i4, m - 4u);
                    vec4 v = A4[aoff + ((kk + q) * m + r) / 4u];
                    a[4 * i4 + 0][q] = v.x;
                    a[4 * i4 + 1][q] = v.y;
                    a[4 * i4 + 2][q] = v.z;
                    a[4 * i4 + 3][q] = v.w;
                }
            }
        }
        if (TRANS_B == 0) {
            [[unroll]] for (uint q = 0; q < 4; q++) {
                [[unroll]] for (uint j = 0; j < TN / 4; j++) {
                    uint c = min(col0 + 4u * j, n - 4u);
                    b[q][j] = B4[boff + ((kk + q) * n + c) / 4u];
                }
            }
        } else {
            // B stored (n, k): column c's k values are contiguous.
            [[unroll]] for (uint j = 0; j < TN / 4; j++) {
                [[unroll]] for (uint cc = 0; cc < 4; cc++) {
                    uint c = min(col0 + 4u * j + cc, n - 1u);
                    vec4 v = B4[boff + (c * k + kk) / 4u];
                    b[0][j][cc] = v.x;
                    b[1][j][cc] = v.y;
                    b[2][j][cc] = v.z;
                    b[3][j][cc] = v.w;
                }
            }
        }
        [[unroll]] for (uint q = 0; q < 4; q++) {
            [[unroll]] for (uint i = 0; i < TM; i++) {
                [[unroll]] for (uint j = 0; j < TN / 4; j++) {
                    acc[i][j] = fma(vec4(a[i][q]), b[q][j], acc[i][j]);
                }
            }
        }
    }
    [[unroll]] for (uint i = 0; i < TM; i++) {
        uint r = row0 + i;
        if (r >= m) {
            break;
        }
        [[unroll]] for (uint j = 0; j < TN / 4; j++) {
            [[unroll]] for (uint cc = 0; cc < 4; cc++) {
                uint c = col0 + 4u * j + cc;
                if (c < n) {
                    uint idx = coff + r * n + c;
                    GEMM_STORE(idx, acc[i][j][cc])
                }
            }
        }
    }
}
