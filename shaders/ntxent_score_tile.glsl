// ntxent_score_tile.glsl: a statement fragment of ntxent_forward_tiled.comp
// and ntxent_backward_tiled.comp, included inside their loop over column
// tiles: it declares float s[TM][TN] and sets s[r][c] to the dot product of
// rows rowBase + ty*TM + r and colBase + tx*TN + c of z (rows x d, rows past
// the data and columns past c1 read as zero), staging BK-wide slices of the
// two row blocks in the shared As (BK x BM) and Bs (BK x BN) with the WG
// invocations of the workgroup. A fragment rather than a function so that
// the kernels' SPIR-V stays as it was (inline, the same bytes).

float s[TM][TN];
for (uint r = 0u; r < TM; r++) {
    for (uint c = 0u; c < TN; c++) {
        s[r][c] = 0.0;
    }
}
for (uint k0 = 0u; k0 < d; k0 += BK) {
    barrier();
    for (uint e = t; e < BK * BM; e += WG) {
        uint mm = e / BK, kk = e % BK;
        uint row = rowBase + mm, k = k0 + kk;
        As[kk * BM + mm] = (row < rows && k < d) ? z[row * d + k] : 0.0;
    }
    for (uint e = t; e < BK * BN; e += WG) {
        uint nn = e / BK, kk = e % BK;
        uint col = colBase + nn, k = k0 + kk;
        Bs[kk * BN + nn] = (col < c1 && k < d) ? z[col * d + k] : 0.0;
    }
    barrier();
    for (uint kk = 0u; kk < BK; kk++) {
        float a[TM];
        float b[TN];
        for (uint r = 0u; r < TM; r++) {
            a[r] = As[kk * BM + ty * TM + r];
        }
        for (uint c = 0u; c < TN; c++) {
            b[c] = Bs[kk * BN + tx * TN + c];
        }
        for (uint r = 0u; r < TM; r++) {
            for (uint c = 0u; c < TN; c++) {
                s[r][c] = fma(a[r], b[c], s[r][c]);
            }
        }
    }
}
