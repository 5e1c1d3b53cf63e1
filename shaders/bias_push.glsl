// bias_push.glsl: the push-constant block of bias_forward.comp and
// bias_backward.comp (Go: pushBias in engine/vulkan/internal/eltwise),
// written once. engine/vulkan's TestPushConstants checks it against the Go
// struct through the #include.

layout(push_constant) uniform Push {
    uint n, c, hw;
} pc;
