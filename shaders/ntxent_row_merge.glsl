// ntxent_row_merge.glsl: a statement fragment of ntxent_forward_tiled.comp
// and ntxent_forward_gemm.comp: the NTXENT_MERGE_N invocations that shared
// row `row` left their running (max m, sum exp(s - m), positive logit,
// largest negative) at red[b + x*4 + {0, 1, 2, 3}], x < NTXENT_MERGE_N; it
// merges them in order of x (the sums rescaled to the common max) and
// writes the row's entry of part p (rows past `rows` write nothing).
// A fragment rather than a function so that the kernels' SPIR-V stays as it
// was.

float M = NONE, SP = NONE, NG = NONE;
for (uint x = 0u; x < NTXENT_MERGE_N; x++) {
    M = max(M, red[b + x * 4u]);
    SP = max(SP, red[b + x * 4u + 2u]);
    NG = max(NG, red[b + x * 4u + 3u]);
}
float S = 0.0;
for (uint x = 0u; x < NTXENT_MERGE_N; x++) {
    S += red[b + x * 4u + 1u] * exp(red[b + x * 4u] - M);
}
if (row < rows) {
    uint o = (p * rows + row) * 4u;
    part[o] = M;
    part[o + 1u] = S;
    part[o + 2u] = SP;
    part[o + 3u] = NG;
}
