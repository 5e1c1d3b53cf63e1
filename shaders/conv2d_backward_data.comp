#version 450
// conv2d_backward_data.comp: dx of conv2d_forward, register-blocked,
// float32 activations: conv2d_backward_data_main.glsl (bindings, layout,
// dispatch, push constants, CPU reference).
#include "conv2d_backward_data_main.glsl"
