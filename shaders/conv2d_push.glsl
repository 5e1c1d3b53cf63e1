// conv2d_push.glsl: the push-constant block of the six convolution kernels
// conv2d_{forward,backward_data,backward_filter}[_tiled].comp, one Go struct
// for all (pushConv in engine/vulkan/internal/conv; chunk is read by the
// backward_filter passes only). engine/vulkan's TestPushConstants reads it
// through the #include.

layout(push_constant) uniform Push {
    uint n, c, h, w, k, r, s, p, q, stride_h, stride_w, pad_h, pad_w, chunk;
} pc;
