// l2normalize_push.glsl: the push-constant block of
// l2normalize_forward.comp and l2normalize_backward.comp (Go: pushL2 in
// engine/vulkan/internal/eltwise), written once. engine/vulkan's
// TestPushConstants checks it against the Go struct through the #include.

layout(push_constant) uniform Push {
    uint rows, dim;
} pc;
