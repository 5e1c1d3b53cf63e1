// batchnorm_merge.glsl: a statement fragment, the start of the main of
// batchnorm_forward_train_finalize.comp and batchnorm_stats_finalize.comp
// (after grid1d.glsl and batchnorm_reduce.glsl): the workgroup of
// group-channel gch merges the parts (sum, M2) pairs of its chunks in
// partial (written by batchnorm_forward_train_partial) into the mean and ss,
// the sum of squared deviations over its m = (n/groups)*hw values (the
// parallel-variance formula, in a fixed order); workgroups past groups*C
// return at once. A fragment rather than a function so that the kernels'
// SPIR-V stays as it was.

GRID1D_GROUP_BOUND(gch, pc.groups * pc.c) // group * C + channel
uint t = gl_LocalInvocationID.x;
uint m = (pc.n / pc.groups) * pc.hw;
uint base = 2u * gch * pc.parts;
float s = 0.0;
for (uint j = t; j < pc.parts; j += LOCAL) {
    s += partial[base + 2u * j];
}
float mean = reduce(s) / float(m);
float q = 0.0;
for (uint j = t; j < pc.parts; j += LOCAL) {
    float nj = float(min(pc.chunk, m - j * pc.chunk));
    float dm = partial[base + 2u * j] / nj - mean;
    q += partial[base + 2u * j + 1u] + nj * dm * dm;
}
float ss = reduce(q);
