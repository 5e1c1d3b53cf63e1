// winograd_output_push.glsl: the push-constant block of
// winograd_output_transform.comp and winograd_grad_transform.comp (Go:
// pushWinogradOutput in engine/vulkan/internal/conv), written once.
// engine/vulkan's TestPushConstants checks it against the Go struct through
// the #include.

layout(push_constant) uniform Push {
    uint n, k, p, q, tp, tq;
} pc;
