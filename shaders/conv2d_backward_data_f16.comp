#version 450
// conv2d_backward_data_f16.comp: conv2d_backward_data.comp with its
// activations stored as engine.Float16 (conv2d_half.glsl):
// conv2d_backward_data_main.glsl.
#define F16 1
#include "conv2d_backward_data_main.glsl"
