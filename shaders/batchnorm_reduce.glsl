// batchnorm_reduce.glsl: the fixed-order workgroup sum of the batch-norm
// passes that reduce one value at a time, included by them after their
// bindings; needs the specialization constant LOCAL (the workgroup size,
// a power of two); the tree is treereduce.glsl's.

#include "treereduce.glsl"

shared float red[LOCAL];

// reduce returns the sum of v over the workgroup (fixed-order tree).
float reduce(float v) {
    uint t = gl_LocalInvocationID.x;
    TREE_SUM(red, v, t, LOCAL / 2u);
    float r = red[0];
    barrier();
    return r;
}
