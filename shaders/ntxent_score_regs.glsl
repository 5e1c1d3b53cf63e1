// ntxent_score_regs.glsl: a statement fragment of ntxent_forward.comp and
// ntxent_backward.comp (the register-blocked kernels, no shared memory),
// included in their loop over column blocks: it declares float s[TR][TC]
// and sets s[r][c] to the dot product over d of rows ri[r] and kc[c] of z
// (indices already clamped to the data). A fragment rather than a function
// so that the kernels' SPIR-V stays as it was.

float s[TR][TC];
for (uint r = 0u; r < TR; r++) {
    for (uint c = 0u; c < TC; c++) {
        s[r][c] = 0.0;
    }
}
for (uint j = 0u; j < d; j++) {
    float a[TR];
    float b[TC];
    for (uint r = 0u; r < TR; r++) {
        a[r] = z[ri[r] * d + j];
    }
    for (uint c = 0u; c < TC; c++) {
        b[c] = z[kc[c] * d + j];
    }
    for (uint r = 0u; r < TR; r++) {
        for (uint c = 0u; c < TC; c++) {
            s[r][c] = fma(a[r], b[c], s[r][c]);
        }
    }
}
