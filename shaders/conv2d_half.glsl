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
//   STX(v)    the activation element of the float v.
// The cooperative-matrix variants (CM_SGS) take float32 activations only.

#ifndef F16
#define F16 0
#endif
#if F16 != 0
#ifdef CM_SGS
#error "conv2d_half.glsl: no float16 activations in the cooperative-matrix variants"
#endif
#extension GL_EXT_shader_16bit_storage : require
#include "half.glsl"
#define ACT uint16_t
#define LDX(e) H2F(e)
#define STX(v) F2H(v)
#else
#define ACT float
#define LDX(e) e
#define STX(v) v
#endif
