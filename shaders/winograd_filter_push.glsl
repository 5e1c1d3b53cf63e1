// winograd_filter_push.glsl: the push-constant block of
// winograd_filter_transform.comp and winograd_filter_grad_transform.comp
// (Go: pushWinogradFilter in engine/vulkan/internal/conv), written once.
// engine/vulkan's TestPushConstants checks it against the Go struct through
// the #include.

layout(push_constant) uniform Push {
    uint k, c, flip;
} pc;
