#version 450
// conv2d_backward_filter.comp: dw of conv2d_forward, register-blocked,
// float32 activations: conv2d_backward_filter_main.glsl (bindings, layout,
// dispatch, push constants, CPU reference).
#include "conv2d_backward_filter_main.glsl"
