// winograd.glsl: what the Winograd transforms winograd_*_transform.comp
// share, included after their push-constant block (tools/shadergen hashes
// it into their manifest entries): the extension and local size (256),
// the matrices of Winograd F(m x m, 3x3) for m = M (2 or 4, the variant
// line's -DM) with alpha = AL = M + 2 points: B^T (BT), G and A^T (AT), as
// cpu/winograd.go's winoF has them, and two statement macros for main.
// Every matrix is declared unless the kernel defines WINOGRAD_ONLY_G or
// WINOGRAD_ONLY_AT before the include (the filter-gradient and gradient
// transforms, which use that one only: an unused matrix would still take
// SPIR-V ids).
//   WINOGRAD_TILE(ch)  declares T = N*tp*tq (the tiles of the batch), t
//                      (this invocation's tile, gl_GlobalInvocationID.x)
//                      and ch (its channel, gl_WorkGroupID.y), and returns
//                      for t >= T (the tile transforms: input, output,
//                      gradient).
//   WINOGRAD_TILE_POS  declares img (the image of tile t), r (the tile's
//                      index in it, r = ti*tq + j) and ti (its tile row).

#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = 256) in;

#if M == 2
#define AL 4
#if !defined(WINOGRAD_ONLY_G) && !defined(WINOGRAD_ONLY_AT)
const float BT[AL][AL] = float[AL][AL](
    float[AL](1.0, 0.0, -1.0, 0.0),
    float[AL](0.0, 1.0, 1.0, 0.0),
    float[AL](0.0, -1.0, 1.0, 0.0),
    float[AL](0.0, 1.0, 0.0, -1.0));
#endif
#ifndef WINOGRAD_ONLY_AT
const float G[AL][3] = float[AL][3](
    float[3](1.0, 0.0, 0.0),
    float[3](0.5, 0.5, 0.5),
    float[3](0.5, -0.5, 0.5),
    float[3](0.0, 0.0, 1.0));
#endif
#ifndef WINOGRAD_ONLY_G
const float AT[M][AL] = float[M][AL](
    float[AL](1.0, 1.0, 1.0, 0.0),
    float[AL](0.0, 1.0, -1.0, -1.0));
#endif
#else
#define AL 6
#if !defined(WINOGRAD_ONLY_G) && !defined(WINOGRAD_ONLY_AT)
const float BT[AL][AL] = float[AL][AL](
    float[AL](4.0, 0.0, -5.0, 0.0, 1.0, 0.0),
    float[AL](0.0, -4.0, -4.0, 1.0, 1.0, 0.0),
    float[AL](0.0, 4.0, -4.0, -1.0, 1.0, 0.0),
    float[AL](0.0, -2.0, -1.0, 2.0, 1.0, 0.0),
    float[AL](0.0, 2.0, -1.0, -2.0, 1.0, 0.0),
    float[AL](0.0, 4.0, 0.0, -5.0, 0.0, 1.0));
#endif
#ifndef WINOGRAD_ONLY_AT
const float G[AL][3] = float[AL][3](
    float[3](1.0 / 4.0, 0.0, 0.0),
    float[3](-1.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0),
    float[3](-1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0),
    float[3](1.0 / 24.0, 1.0 / 12.0, 1.0 / 6.0),
    float[3](1.0 / 24.0, -1.0 / 12.0, 1.0 / 6.0),
    float[3](0.0, 0.0, 1.0));
#endif
#ifndef WINOGRAD_ONLY_G
const float AT[M][AL] = float[M][AL](
    float[AL](1.0, 1.0, 1.0, 1.0, 1.0, 0.0),
    float[AL](0.0, 1.0, -1.0, 2.0, -2.0, 0.0),
    float[AL](0.0, 1.0, 1.0, 4.0, 4.0, 0.0),
    float[AL](0.0, 1.0, -1.0, 8.0, -8.0, 1.0));
#endif
#endif

#define WINOGRAD_TILE(ch) \
    uint T = pc.n * pc.tp * pc.tq; \
    uint t = gl_GlobalInvocationID.x; \
    uint ch = gl_WorkGroupID.y; \
    if (t >= T) { \
        return; \
    }

#define WINOGRAD_TILE_POS \
    uint tiles = pc.tp * pc.tq; \
    uint img = t / tiles; \
    uint r = t - img * tiles; \
    uint ti = r / pc.tq;
