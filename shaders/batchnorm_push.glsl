// batchnorm_push.glsl: the push-constant block of the split batch-norm
// passes (batchnorm_{forward_train,backward}_{partial,finalize,apply}.comp
// and batchnorm_stats_finalize.comp), one Go struct for all (pushBatchNormSplit
// in engine/vulkan/internal/batchnorm; each pass's header says which
// fields it reads). engine/vulkan's TestPushConstants reads it through the
// #include.

layout(push_constant) uniform Push {
    uint n, c, hw;
    float eps, momentum;
    uint parts, chunk, groups;
} pc;
