// batchnorm_reduce.glsl: the fixed-order workgroup sum of the batch-norm
// passes that reduce one value at a time, included by them after their
// bindings; needs the specialization constant LOCAL (the workgroup size,
// a power of two).

shared float red[LOCAL];

// reduce returns the sum of v over the workgroup (fixed-order tree).
float reduce(float v) {
    uint t = gl_LocalInvocationID.x;
    red[t] = v;
    barrier();
    for (uint s = LOCAL / 2u; s > 0u; s >>= 1) {
        if (t < s) {
            red[t] += red[t + s];
        }
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}
