// gemm_push.glsl: the push-constant block of gemm_regblock.comp,
// gemm_vec4.comp and gemm_subgroup.comp (Go: pushGemm in
// engine/vulkan/internal/gemm), written once. gemm_tiled.comp declares the
// same fields one a line under its #ifdef SPLIT_K (its split-K block
// differs), so it keeps its own. engine/vulkan's TestPushConstants checks
// it against the Go struct through the #include.

layout(push_constant) uniform Push {
    uint m, n, k, batch0;
    float alpha, beta;
} pc;
