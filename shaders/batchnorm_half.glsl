// batchnorm_half.glsl: the storage of the (N, C, HW) tensors of the
// batch-norm-in-parts kernels (batchnorm_forward_train_partial,
// batchnorm_forward_train_apply, batchnorm_backward_partial,
// batchnorm_backward_apply), included after the VT line of
// batchnorm_vec.glsl or batchnorm_apply.glsl. In the F16 variants (-DF16=1)
// those tensors are engine.Float16 ones: declared XT (uint16_t or u16vec4
// by VEC) and converted by half.glsl; otherwise XT is VT:
//   LDH(b, i)     element (vector) i of binding b as VT, exactly;
//   STH(b, i, v)  stores the VT v there, rounded to nearest even.
// The statistics, gamma, beta and sums stay float.

#ifndef F16
#define F16 0
#endif
#if F16 != 0
#extension GL_EXT_shader_16bit_storage : require
#include "half.glsl"
#if VEC == 4
#define XT u16vec4
#define LDH(b, i) vec4(H2F(b[i].x), H2F(b[i].y), H2F(b[i].z), H2F(b[i].w))
#define STH(b, i, v) b[i] = u16vec4(uvec4(half16(floatBitsToUint((v).x)), half16(floatBitsToUint((v).y)), \
                                          half16(floatBitsToUint((v).z)), half16(floatBitsToUint((v).w))))
#else
#define XT uint16_t
#define LDH(b, i) H2F(b[i])
#define STH(b, i, v) b[i] = F2H(v)
#endif
#else
#define XT VT
#define LDH(b, i) b[i]
#define STH(b, i, v) b[i] = (v)
#endif
