// ntxent_row_stats.glsl: a statement fragment of ntxent_forward.comp and
// ntxent_forward_tiled.comp, included in their loop over column blocks
// once the block's dot products s[r][c] are in registers. For each of the
// invocation's NTXENT_ROWS rows r it scales the NTXENT_COLS products by
// 1/tau and folds the columns k = NTXENT_COL(c) below c1, other than the
// row itself (ri[r]), into the row's statistics: the running maximum m[r]
// and sum[r] = sum exp(s - m[r]) (online log-sum-exp), the positive logit
// sp[r] (k == pos[r]) and the largest negative logit neg[r] (NONE: none
// yet). The including kernel defines the three macros. A fragment rather
// than a function so that the kernels' SPIR-V stays as it was.

for (uint r = 0u; r < NTXENT_ROWS; r++) {
    float tm = NONE;
    for (uint c = 0u; c < NTXENT_COLS; c++) {
        uint k = NTXENT_COL(c);
        s[r][c] *= pc.invTau;
        if (k < c1 && k != ri[r]) {
            tm = max(tm, s[r][c]);
            if (k == pos[r]) {
                sp[r] = s[r][c];
            } else {
                neg[r] = max(neg[r], s[r][c]);
            }
        }
    }
    if (tm > m[r]) {
        sum[r] *= exp(m[r] - tm);
        m[r] = tm;
    }
    for (uint c = 0u; c < NTXENT_COLS; c++) {
        uint k = NTXENT_COL(c);
        if (k < c1 && k != ri[r]) {
            sum[r] += exp(s[r][c] - m[r]);
        }
    }
}
