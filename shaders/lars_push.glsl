// lars_push.glsl: the push-constant block of lars_norms.comp and
// lars_step.comp (Go: pushLARS in engine/vulkan/internal/eltwise), written
// once. engine/vulkan's TestPushConstants checks it against the Go struct
// through the #include.

layout(push_constant) uniform Push {
    uint n, chunk, parts;
    float lr, momentum, weightDecay, eta;
} pc;
