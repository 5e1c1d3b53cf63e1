#version 450
// conv2d_forward.comp: y = conv(x, w), register-blocked, float32
// activations: conv2d_forward_main.glsl (bindings, layout, dispatch, push
// constants, CPU reference).
#include "conv2d_forward_main.glsl"
