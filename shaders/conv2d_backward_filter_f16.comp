#version 450
// conv2d_backward_filter_f16.comp: conv2d_backward_filter.comp with its
// activations stored as engine.Float16 (conv2d_half.glsl):
// conv2d_backward_filter_main.glsl.
#define F16 1
#include "conv2d_backward_filter_main.glsl"
