// float16.glsl: the interface that to_float16.comp and from_float16.comp
// share (their headers say what each binding holds): local size 256, dst
// and src as uint words (floats as their bits on one side, binary16 pairs
// on the other) and the push-constant block {uint n} (Go: Push in
// engine/vulkan/internal/float16; engine/vulkan's TestPushConstants checks
// it through the #include).

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer B0 { uint dst[]; };
layout(std430, binding = 1) readonly buffer B1 { uint src[]; };

layout(push_constant) uniform Push {
    uint n;
} pc;
