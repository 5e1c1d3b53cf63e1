// eltwise_push.glsl: the push-constant block of copy.comp, add.comp,
// sub.comp, mul.comp, relu_forward.comp and relu_backward.comp (Go: pushN
// in engine/vulkan/internal/eltwise), written once. engine/vulkan's
// TestPushConstants checks it against the Go struct through the #include.

layout(push_constant) uniform Push {
    uint n;
} pc;
