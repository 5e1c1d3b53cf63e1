// ntxent_tile.glsl: the float32 core of the ntxent_*_gemm kernels (included,
// not compiled alone): one BM x BN tile of z z^T, rows rowBase + [0, BM)
// against columns colBase + [0, BN), accumulated BK dimensions at a time
// through shared memory with TM x TN outputs per invocation. Same staging
// and register layout as gemm_tiled.comp's 128x128 variants (op(A) = z,
// op(B) = z^T, both read from z's rows), so the streaming passes of NT-Xent
// multiply at the GEMM's rate.
//
// The including shader defines BM, BN, BK, TM, TN (TM, TN multiples of 4)
// and NBUF (1, or 2: double-buffered: the next step's global loads overlap
// the current multiply-adds, one barrier per step), declares the
// specialization constant VEC4 (1: d is a multiple of 4, z is read as
// vec4s; 0: scalar loads), the buffers z[] and z4[] (the same binding) and
// the globals rows, dim, rowBase, colBase, t, before the #include.
// Register layout: invocation t = (ty, tx), tx = t % TX, ty = t / TX, holds
// acc[4*i4 + ii][j4][jj] = tile element (row 4*(ty + TY*i4) + ii, column
// 4*(tx + TX*j4) + jj), i4 < TM/4, j4 < TN/4 (ntxentRow / ntxentCol).
// tileProduct ends with a barrier: after it the shared tiles are free.

#define TX (BN / TN)
#define TY (BM / TM)
#define WG (TX * TY)
#define NA4 (BM * BK / (4 * WG))
#define NB4 (BN * BK / (4 * WG))

shared vec4 As[NBUF][BK][BM / 4 + 1]; // As[buf][kk][r/4][r%4] = z[rowBase + r, k0 + kk]
shared vec4 Bs[NBUF][BK][BN / 4 + 1]; // Bs[buf][kk][c/4][c%4] = z[colBase + c, k0 + kk]
vec4 acc[TM][TN / 4];
vec4 ra[NA4];
vec4 rb[NB4];

// loadZ4 returns z[row, j .. j+3], zero past rowEnd or dim (j is a
// multiple of 4).
vec4 loadZ4(uint row, uint rowEnd, uint j) {
    vec4 v = vec4(0.0);
    if (row < rowEnd && j < dim) {
        if (VEC4 != 0u) {
            v = z4[(row * dim + j) / 4u];
        } else {
            [[unroll]] for (uint q = 0u; q < 4u; q++) {
                if (j + q < dim) {
                    v[q] = z[row * dim + j + q];
                }
            }
        }
    }
    return v;
}

// loadTiles reads the row tile (BM x BK) and column tile (BN x BK) at
// dimension k0 into ra / rb; columns at or past colEnd read as zero.
void loadTiles(uint k0, uint colEnd) {
    [[unroll]] for (uint it = 0u; it < NA4; it++) {
        uint e = t + it * WG;
        ra[it] = loadZ4(rowBase + e / (BK / 4u), rows, k0 + (e % (BK / 4u)) * 4u);
    }
    [[unroll]] for (uint it = 0u; it < NB4; it++) {
        uint e = t + it * WG;
        rb[it] = loadZ4(colBase + e / (BK / 4u), colEnd, k0 + (e % (BK / 4u)) * 4u);
    }
}

// storeTiles writes ra / rb into shared buffer buf.
void storeTiles(uint buf) {
    [[unroll]] for (uint it = 0u; it < NA4; it++) {
        uint e = t + it * WG;
        uint r = e / (BK / 4u), kk = (e % (BK / 4u)) * 4u;
        [[unroll]] for (uint q = 0u; q < 4u; q++) {
            As[buf][kk + q][r / 4u][r % 4u] = ra[it][q];
        }
    }
    [[unroll]] for (uint it = 0u; it < NB4; it++) {
        uint e = t + it * WG;
        uint c = e / (BK / 4u), kk = (e % (BK / 4u)) * 4u;
        [[unroll]] for (uint q = 0u; q < 4u; q++) {
            Bs[buf][kk + q][c / 4u][c % 4u] = rb[it][q];
        }
    }
}

// multiplyTiles adds shared buffer buf's product to acc.
void multiplyTiles(uint buf, uint tx, uint ty) {
    [[unroll]] for (uint kk = 0u; kk < BK; kk++) {
        vec4 a[TM / 4];
        vec4 b[TN / 4];
        [[unroll]] for (uint i4 = 0u; i4 < TM / 4u; i4++) {
            a[i4] = As[buf][kk][ty + TY * i4];
        }
        [[unroll]] for (uint j4 = 0u; j4 < TN / 4u; j4++) {
            b[j4] = Bs[buf][kk][tx + TX * j4];
        }
        [[unroll]] for (uint i4 = 0u; i4 < TM / 4u; i4++) {
            [[unroll]] for (uint ii = 0u; ii < 4u; ii++) {
                [[unroll]] for (uint j4 = 0u; j4 < TN / 4u; j4++) {
                    acc[4u * i4 + ii][j4] = fma(vec4(a[i4][ii]), b[j4], acc[4u * i4 + ii][j4]);
                }
            }
        }
    }
}

// tileProduct sets acc to the unscaled dot products of the tile (rows
// rowBase.., columns colBase.. below colEnd), over all dim dimensions.
void tileProduct(uint colEnd, uint tx, uint ty) {
    [[unroll]] for (uint i = 0u; i < TM; i++) {
        [[unroll]] for (uint j4 = 0u; j4 < TN / 4u; j4++) {
            acc[i][j4] = vec4(0.0);
        }
    }
#if NBUF == 2
    loadTiles(0u, colEnd);
    storeTiles(0u);
    barrier();
    uint buf = 0u;
    for (uint k0 = 0u; k0 < dim; k0 += BK) {
        bool more = k0 + BK < dim;
        if (more) {
            loadTiles(k0 + BK, colEnd);
        }
        multiplyTiles(buf, tx, ty);
        if (more) {
            storeTiles(buf ^ 1u);
        }
        barrier();
        buf ^= 1u;
    }
#else
    for (uint k0 = 0u; k0 < dim; k0 += BK) {
        loadTiles(k0, colEnd);
        storeTiles(0u);
        barrier();
        multiplyTiles(0u, tx, ty);
        barrier();
    }
#endif
}

// ntxentRow / ntxentCol: the tile row and column of acc[i][j4][jj] held by
// invocation (ty, tx).
uint ntxentRow(uint ty, uint i) {
    return 4u * (ty + TY * (i / 4u)) + i % 4u;
}
uint ntxentCol(uint tx, uint j4, uint jj) {
    return 4u * (tx + TX * j4) + jj;
}
