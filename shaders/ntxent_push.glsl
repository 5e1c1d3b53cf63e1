// ntxent_push.glsl: the push-constant block of the NT-Xent kernels
// (ntxent_*.comp), one Go struct for all (pushNTXent in
// engine/vulkan/internal/ntxent; each kernel's header says which fields it
// reads). engine/vulkan's TestPushConstants reads it through the #include.

layout(push_constant) uniform Push {
    uint rows, d, nHalf, chunk, parts, part0;
    float invTau, scale;
} pc;
