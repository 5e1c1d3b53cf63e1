// sum_push.glsl: the push-constant block of sum_rows.comp and sum_cols.comp
// (Go: pushReduce in engine/vulkan/internal/eltwise), written once.
// engine/vulkan's TestPushConstants checks it against the Go struct through
// the #include.

layout(push_constant) uniform Push {
    uint rows, cols;
    float div;
} pc;
