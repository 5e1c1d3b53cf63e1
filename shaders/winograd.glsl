// winograd.glsl: the matrices of Winograd F(m x m, 3x3) for m = M (2 or
// 4, the variant line's -DM) with alpha = AL = M + 2 points: B^T (BT), G
// and A^T (AT), as cpu/winograd.go's winoF has them; included by
// winograd_{filter,input,output}_transform.comp (tools/shadergen hashes it
// into their manifest entries). The filter-gradient and gradient transforms
// keep their own G or A^T only: the unused matrices would renumber their
// SPIR-V, and the gradient transform names its output buffer G.

#if M == 2
#define AL 4
const float BT[AL][AL] = float[AL][AL](
    float[AL](1.0, 0.0, -1.0, 0.0),
    float[AL](0.0, 1.0, 1.0, 0.0),
    float[AL](0.0, -1.0, 1.0, 0.0),
    float[AL](0.0, 1.0, 0.0, -1.0));
const float G[AL][3] = float[AL][3](
    float[3](1.0, 0.0, 0.0),
    float[3](0.5, 0.5, 0.5),
    float[3](0.5, -0.5, 0.5),
    float[3](0.0, 0.0, 1.0));
const float AT[M][AL] = float[M][AL](
    float[AL](1.0, 1.0, 1.0, 0.0),
    float[AL](0.0, 1.0, -1.0, -1.0));
#else
#define AL 6
const float BT[AL][AL] = float[AL][AL](
    float[AL](4.0, 0.0, -5.0, 0.0, 1.0, 0.0),
    float[AL](0.0, -4.0, -4.0, 1.0, 1.0, 0.0),
    float[AL](0.0, 4.0, -4.0, -1.0, 1.0, 0.0),
    float[AL](0.0, -2.0, -1.0, 2.0, 1.0, 0.0),
    float[AL](0.0, 2.0, -1.0, -2.0, 1.0, 0.0),
    float[AL](0.0, 4.0, 0.0, -5.0, 0.0, 1.0));
const float G[AL][3] = float[AL][3](
    float[3](1.0 / 4.0, 0.0, 0.0),
    float[3](-1.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0),
    float[3](-1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0),
    float[3](1.0 / 24.0, 1.0 / 12.0, 1.0 / 6.0),
    float[3](1.0 / 24.0, -1.0 / 12.0, 1.0 / 6.0),
    float[3](0.0, 0.0, 1.0));
const float AT[M][AL] = float[M][AL](
    float[AL](1.0, 1.0, 1.0, 1.0, 1.0, 0.0),
    float[AL](0.0, 1.0, -1.0, 2.0, -2.0, 0.0),
    float[AL](0.0, 1.0, 1.0, 4.0, 4.0, 0.0),
    float[AL](0.0, 1.0, -1.0, 8.0, -8.0, 1.0));
#endif
