// conv2d_half.glsl: the storage of the activations of the convolution
// kernels (x and y, dy and dx: ACT buffers), which conv2d_direct.glsl's
// and the tiled kernels' users include before their bindings. In the F16
// kernels (F16 defined to 1: the conv2d_<pass>_f16.comp sources and the
// _f16 variants of conv2d_tiled_variants.glsl) they are engine.Float16
// tensors: uint16_t elements converted by half.glsl's integer arithmetic,
// read exactly and written rounded to nearest, ties to even, once, from
// the float32 sum (as engine.Float16Round), so every device rounds as the
// CPU emulation; the filter w, its gradient dw (and the split-K partials)
// and all arithmetic stay float32:
//   ACT       the element type of an activation buffer (uint16_t or float);
//   LDX(e)    the float value of the activation element e (H2F);
//   STX(v)    the activation element of the float v;
//   ACTIN     the element type of an activation buffer the kernel reads
//             (ACT);
//   SACT      the type in which an activation is staged between its load
//             and its shared-memory store (float), SACT0 its zero.
// The cooperative-matrix variants (CM_SGS) with F16 (the _cm_s<SGS>_f16
// variants) read their activations as float16_t (ACTIN, SACT: loaded and
// staged as the bits they are, converted by nothing, into the float16
// tiles of coopmat_tile.glsl, where the including shader defines
// CM_A_HALF / CM_B_HALF so that they stay unscaled; LDX(e) is then e)
// and write them through STX as the other F16 kernels.

#ifndef F16
#define F16 0
#endif
#if F16 != 0
#extension GL_EXT_shader_16bit_storage : require
#include "half.glsl"
#define ACT uint16_t
#define STX(v) F2H(v)
#ifdef CM_SGS
#define ACTIN float16_t
#define SACT float16_t
#define SACT0 float16_t(0.0)
#define LDX(e) (e)
#else
#define ACTIN uint16_t
#define SACT float
#define SACT0 0.0
#define LDX(e) H2F(e)
#endif
#else
#define ACT float
#define ACTIN float
#define SACT float
#define SACT0 0.0
#define LDX(e) e
#define STX(v) v
#endif
