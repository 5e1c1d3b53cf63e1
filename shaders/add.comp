#version 450
// add.comp: dst[i] = a[i] + b[i] (dst may alias a or b), for i < n.
//
// Bindings (storage buffers, set 0):
//   0: dst (n floats or float16s, written)
//   1: a (n floats or float16s, read)
//   2: b (n floats or float16s, read)
// variant: f32
// variant: f16 -DHALF=7
// f16: every binding float16 (eltwise.glsl), the float32 sum rounded.
// Layout and dispatch grid: eltwise.glsl (local_size_x = 256, grid1D,
// one element an invocation).
// Push constants: {uint n} (Go: pushN in engine/vulkan/elementwise.go).
// CPU reference: cpu.Add (f16: then engine.Float16Round).

#include "eltwise_push.glsl"

#define ELTWISE_OP(i) ST0(i, LD1(i) + LD2(i))
#define ELTWISE_B0 dst
#define ELTWISE_B1 a
#define ELTWISE_B2 b
#include "eltwise.glsl"
