// batchnorm_push.glsl: the push constants of the split batch-norm passes
// (batchnorm_*_partial, _finalize, _apply and batchnorm_stats_finalize.comp,
// which include it; Go: pushBatchNormSplit in engine/vulkan/batchnorm.go;
// each shader's header says which members it uses).

layout(push_constant) uniform Push {
    uint n;
    uint c;
    uint hw;
    float eps;
    float momentum;
    uint parts;
    uint chunk;
    uint groups;
} pc;
