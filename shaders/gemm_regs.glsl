// gemm_regs.glsl: what the register-blocked GEMMs gemm_regblock.comp,
// gemm_vec4.comp and gemm_subgroup.comp share, included after their
// bindings (binding 0: float C[]): the local size and specialization
// constants 0 WG_X, 1 WG_Y, 2 TRANS_A, 3 TRANS_B of the two kernels with a
// WG_X x WG_Y workgroup (not gemm_subgroup, which defines SG, its subgroup
// width, and declares its own), the push-constant block (Go: pushGemm in
// engine/vulkan/internal/gemm; engine/vulkan's TestPushConstants checks it
// through the #include; gemm_tiled.comp declares the same fields one a
// line under its #ifdef SPLIT_K, its split-K block differing, so it keeps
// its own) and statement macros for main:
//   GEMM_BATCH           declares m, n, k (from pc) and batch, the batch
//                        entry of this workgroup (gl_WorkGroupID.z + batch0).
//   GEMM_ORIGIN          declares row0, col0, the first row and column of
//                        this invocation's TM x TN block (the WG_X x WG_Y
//                        kernels); an invocation whose block starts past C
//                        returns.
//   GEMM_STORE(idx, a)   C[idx] = alpha * a + beta * C[idx], C not read when
//                        beta == 0 (NaN included); through GEMM_LDC(idx)
//                        and GEMM_STC(idx, v) where the kernel defines
//                        them (gemm_regblock's float16 C), else C[idx].
// Macros, so that the kernels compile as if they spelt them out.

#ifndef SG
layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 0) const uint WG_X = 8;
layout(constant_id = 1) const uint WG_Y = 8;
layout(constant_id = 2) const uint TRANS_A = 0;
layout(constant_id = 3) const uint TRANS_B = 0;
#endif

layout(push_constant) uniform Push {
    uint m, n, k, batch0;
    float alpha, beta;
} pc;

#define GEMM_BATCH \
    uint m = pc.m, n = pc.n, k = pc.k; \
    uint batch = gl_WorkGroupID.z + pc.batch0;

#define GEMM_ORIGIN \
    uint row0 = (gl_WorkGroupID.y * WG_Y + gl_LocalInvocationID.y) * TM; \
    uint col0 = (gl_WorkGroupID.x * WG_X + gl_LocalInvocationID.x) * TN; \
    if (row0 >= m || col0 >= n) { \
        return; \
    }

#ifndef GEMM_LDC
#define GEMM_LDC(j) C[j]
#define GEMM_STC(j, v) C[j] = v
#endif

#define GEMM_STORE(idx, a) \
    float v = pc.alpha * (a); \
    if (pc.beta != 0.0) { \
        v += pc.beta * GEMM_LDC(idx); \
    } \
    GEMM_STC(idx, v);
