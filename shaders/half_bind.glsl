// half_bind.glsl: the element type and accessors of bindings 0, 1 and 2
// by the HALF bitmask (from a variant line; 0 when undefined), for the
// kernels of engine.Float16 tensors: eltwise.glsl's one-element kernels
// and those that declare their own bindings (bias_*, maxpool2d_*,
// globalavgpool_*, gemm_regblock). Bit i set: binding i holds engine.Float16 values,
// uint16_t elements (GL_EXT_shader_16bit_storage) converted by half.glsl,
// exactly on load and rounded to nearest even on store, so the arithmetic
// stays float32 and every device rounds as the CPU emulation; clear: floats.
//   HT<i>             the element type of binding i's array;
//   HLD<i>(b, j)      element j of binding i's array b, as a float;
//   HST<i>(b, j, v)   stores the float v there.
// With HALF 0 they spell the float kernel's own indexing, so its SPIR-V
// is that of the kernel before float16 variants (tools/spirvcmp.sh).

#ifndef HALF
#define HALF 0
#endif
#if HALF != 0
#extension GL_EXT_shader_16bit_storage : require
#include "half.glsl"
#endif

#if (HALF & 1) != 0
#define HT0 uint16_t
#define HLD0(b, j) H2F(b[j])
#define HST0(b, j, v) b[j] = F2H(v)
#else
#define HT0 float
#define HLD0(b, j) b[j]
#define HST0(b, j, v) b[j] = (v)
#endif

#if (HALF & 2) != 0
#define HT1 uint16_t
#define HLD1(b, j) H2F(b[j])
#define HST1(b, j, v) b[j] = F2H(v)
#else
#define HT1 float
#define HLD1(b, j) b[j]
#define HST1(b, j, v) b[j] = (v)
#endif

#if (HALF & 4) != 0
#define HT2 uint16_t
#define HLD2(b, j) H2F(b[j])
#define HST2(b, j, v) b[j] = F2H(v)
#else
#define HT2 float
#define HLD2(b, j) b[j]
#define HST2(b, j, v) b[j] = (v)
#endif
