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
//   LDX(e)    the float value of the activation element e (convH2F);
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
// convH2F is H2F (the float of the binary16 pattern h, exactly) with
// selects instead of float32bits's normalisation loop, since the kernels
// decode an element per load: a subnormal is its mantissa times 2^-24, a
// float32 normal (no float32 denormal is formed, which a device may
// flush); Inf and NaN keep their payload.
float convH2F(uint h) {
    uint e = (h >> 10) & 0x1fu;
    uint m = h & 0x3ffu;
    uint bits = e == 31u ? 0x7f800000u | (m << 13) : ((e + 112u) << 23) | (m << 13);
    bits = e == 0u ? floatBitsToUint(float(m) * 5.9604644775390625e-8) : bits;
    return uintBitsToFloat(((h & 0x8000u) << 16) | bits);
}
#define LDX(e) convH2F(uint(e))
#define STX(v) F2H(v)
#else
#define ACT float
#define LDX(e) e
#define STX(v) v
#endif
