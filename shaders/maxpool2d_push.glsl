// maxpool2d_push.glsl: the push-constant block of maxpool2d_forward.comp
// and maxpool2d_backward.comp (Go: pushPool in
// engine/vulkan/internal/eltwise), written once. engine/vulkan's
// TestPushConstants checks it against the Go struct through the #include.

layout(push_constant) uniform Push {
    uint n, c, h, w, kh, kw, stride_h, stride_w, pad_h, pad_w, p, q;
} pc;
