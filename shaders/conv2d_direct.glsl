// conv2d_direct.glsl: what the three register-blocked direct convolutions
// conv2d_{forward,backward_data,backward_filter}.comp share (they include it
// before their bindings): the local size and specialization constants (0
// WG_X, 1 WG_Y: the local size; 2 TM rows and 3 TN columns of the GEMM per
// invocation; 4 DIRECT: 1x1 kernel, stride 1, no padding, plain loads), and
// statement macros for main:
//   CONV_SIZES      declares PQ = P*Q, HW = H*W, RS = R*S and CRS = C*R*S
//                   (the backward passes).
//   CONV_ORIGIN     declares row0, col0: the first GEMM row and column of
//                   this invocation. Blocks are interleaved (row i is
//                   row0 + i*WG_Y, column j is col0 + j*WG_X), so that
//                   neighbouring invocations touch neighbouring addresses.
//   CONV_ACC_ZERO   declares the register block acc[TM][TN], zeroed, and
//                   its operands a[TM], b[TN].
//   CONV_ACC_FMA    acc[i][j] += a[i] * b[j] for the whole block.
//   CONV_STORE(ROW, ROWS, COLS, STMT)  runs STMT for each element
//                   acc[i][j] of the block inside the GEMM output: ROW
//                   (declared) is its GEMM row row0 + i*WG_Y < ROWS, its
//                   column col0 + j*WG_X < COLS (the forward and
//                   backward-data stores).
// Macros, so that the kernels compile as if they spelt them out.

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 0) const uint WG_X = 8;
layout(constant_id = 1) const uint WG_Y = 8;
layout(constant_id = 2) const uint TM = 4;
layout(constant_id = 3) const uint TN = 4;
layout(constant_id = 4) const uint DIRECT = 0;

#define CONV_SIZES \
    uint PQ = pc.p * pc.q; \
    uint HW = pc.h * pc.w; \
    uint RS = pc.r * pc.s; \
    uint CRS = pc.c * RS;

#define CONV_ORIGIN \
    uint row0 = gl_WorkGroupID.y * WG_Y * TM + gl_LocalInvocationID.y; \
    uint col0 = gl_WorkGroupID.x * WG_X * TN + gl_LocalInvocationID.x;

#define CONV_ACC_ZERO \
    float acc[TM][TN]; \
    for (uint i = 0; i < TM; i++) { \
        for (uint j = 0; j < TN; j++) { \
            acc[i][j] = 0.0; \
        } \
    } \
    float a[TM]; \
    float b[TN];

#define CONV_STORE(ROW, ROWS, COLS, STMT) \
    for (uint i = 0; i < TM; i++) { \
        uint ROW = row0 + i * WG_Y; \
        if (ROW >= ROWS) { \
            break; \
        } \
        for (uint j = 0; j < TN; j++) { \
            if (col0 + j * WG_X >= COLS) { \
                break; \
            } \
            STMT \
        } \
    }

#define CONV_ACC_FMA \
    for (uint i = 0; i < TM; i++) { \
        for (uint j = 0; j < TN; j++) { \
            acc[i][j] = fma(a[i], b[j], acc[i][j]); \
        } \
    }
