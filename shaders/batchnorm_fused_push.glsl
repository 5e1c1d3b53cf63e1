// batchnorm_fused_push.glsl: the push-constant block of
// batchnorm_forward_train.comp, batchnorm_forward_infer.comp and
// batchnorm_backward.comp (Go: pushBatchNorm in
// engine/vulkan/internal/batchnorm), written once. The split passes' block,
// pushBatchNormSplit, is these fields and three more: batchnorm_push.glsl.
// engine/vulkan's TestPushConstants checks it against the Go struct through
// the #include.

layout(push_constant) uniform Push {
    uint n, c, hw;
    float eps, momentum;
} pc;
