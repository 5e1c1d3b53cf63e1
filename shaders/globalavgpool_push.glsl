// globalavgpool_push.glsl: the push-constant block of
// globalavgpool_forward.comp and globalavgpool_backward.comp (Go:
// pushAvgPool in engine/vulkan/internal/eltwise), written once.
// engine/vulkan's TestPushConstants checks it against the Go struct through
// the #include.

layout(push_constant) uniform Push {
    uint planes, hw;
} pc;
