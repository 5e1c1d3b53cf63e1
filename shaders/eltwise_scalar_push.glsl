// eltwise_scalar_push.glsl: the push-constant block of scale.comp and
// axpy.comp (Go: pushNScalar in engine/vulkan/internal/eltwise), written
// once. engine/vulkan's TestPushConstants checks it against the Go struct
// through the #include.

layout(push_constant) uniform Push {
    uint n;
    float alpha;
} pc;
