#version 450
// copy.comp: dst[i] = src[i], for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats or float16s, written)
//   1: src (n floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=3
// variant: to_f16 -DHALF=1
// variant: from_f16 -DHALF=2
// HALF: the bindings stored as float16 (eltwise.glsl): dst and src
// (f16), dst only (to_f16: rounded to nearest even) or src only
// (from_f16: exact).
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.Copy (engine.Float16Round where dst is float16 and
// src is not).

#include "eltwise_push.glsl"

#define ELTWISE_OP(i) ST0(i, LD1(i))
#define ELTWISE_B0 dst
#define ELTWISE_B1 src
#include "eltwise.glsl"
