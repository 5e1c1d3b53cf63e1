// batchnorm_apply.glsl: what the elementwise split passes
// batchnorm_forward_train_apply.comp and batchnorm_backward_apply.comp
// share, included right after their header comment: the local size (256),
// specialization constants 0 RELU and 1 HAS_GAMMA (each pass declares its
// constant 2), the vector type VT (float or vec4 by the variant's VEC) with
// POS(v), v > 0 per component, and a statement macro for main:
//   BATCHNORM_APPLY_INDEX  declares i, the vector of VEC values this
//                          invocation takes (invocations past the N*C*HW/VEC
//                          vectors return), hwv = HW/VEC, its channel ch
//                          and gch = group*C + ch, the index of the
//                          statistics of its row's group (needs
//                          grid1d.glsl).
// Macros, so that the passes compile as if they spelt them out.

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint RELU = 0;
layout(constant_id = 1) const uint HAS_GAMMA = 1;

#if VEC == 4
#define VT vec4
#define POS(v) greaterThan(v, vec4(0.0))
#else
#define VT float
#define POS(v) (v > 0.0)
#endif

#define BATCHNORM_APPLY_INDEX \
    uint i = GRID1D_INDEX(256u); \
    uint hwv = pc.hw / VEC; \
    if (i >= pc.n * pc.c * hwv) { \
        return; \
    } \
    uint ch = (i / hwv) % pc.c; \
    uint gch = (i / (hwv * pc.c)) / (pc.n / pc.groups) * pc.c + ch;
