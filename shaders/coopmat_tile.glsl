// coopmat_tile.glsl: the cooperative-matrix (VK_KHR_cooperative_matrix)
// block product of the _cm_s<SGS> variants of gemm_tiled.comp and
// conv2d_<pass>_tiled.comp, included by them (tools/shadergen hashes it into
// their manifest entries).
//
// The including shader stages a BM x BK tile of A (row-major, float16,
// cmA[row * CM_AST + kk]) and a BK x BN tile of B (cmB[kk * CM_BST + col])
// with CM_STORE_A / CM_STORE_B into buffer 0 (or, with DB defined, into
// buffers 0 and 1 alternately, double-buffered like the float32 tiles),
// between barrier()s as for the fp32 tiles, then calls cmMultiply(buf);
// at the end cmEpilogue() writes the BM x BN block through the shader's
// output mapping (defined before the include): element (r, c) of the block
// goes to cmColBase(c) + (rowBase + r) * CM_ROW_STRIDE, cmColBase
// returning ~0u for columns outside the output, cmRowOK(r) for rows
// inside it, cmStore(index, value) writing it.
// Products are float16 x float16 with float32 accumulation: each input is
// scaled by a power of two per tensor (its largest magnitude into
// [2^14, 2^15): cmScales) and rounded to 11 significant bits (relative
// error <= 2^-11; only values more than 2^24 below the tensor's largest
// reach float16's subnormals); sums stay float32 and are scaled back
// exactly.
// An input the including shader stages as float16_t already (float16
// tensors, read exactly: CM_A_HALF or CM_B_HALF defined before the
// include) is stored as it is, unscaled (its scale 1, its cmMax word
// unread): the tile holds its values exactly, subnormals included, and
// the multiply must keep float16 subnormal inputs, which Vulkan leaves to
// the implementation (no DenormPreserve here): engine/vulkan checks it at
// open (internal/conv's SelfCheck16) and otherwise runs float16 operands
// on the float32-tile kernels.
//
// Compile-time parameters (the variant line): CM_F (the fragment shape
// CM_F x CM_F x CM_F: 16 on GPUs, 8 on lavapipe, whose only float16 shape
// is 8x8x8), BM, BN, BK (multiples of CM_F), CM_SGS (the subgroup size the
// variant is built for: engine/vulkan runs it only on devices whose
// subgroupSize is CM_SGS and that list the CM_F shape), CM_WM x CM_WN (the
// block each subgroup computes, multiples of CM_F), CM_NSG =
// (BM/CM_WM)*(BN/CM_WN) subgroups, so WG = CM_NSG * CM_SGS invocations.
// Subgroup w = gl_SubgroupID owns rows (w / (BN/CM_WN)) * CM_WM + [0, CM_WM)
// and columns (w % (BN/CM_WN)) * CM_WN + [0, CM_WN) as (CM_WM/CM_F) x
// (CM_WN/CM_F) fragments.
// Shared memory: 2*(BM*CM_AST + BK*CM_BST) bytes of tiles per buffer (rows
// padded by 8 halves, 16 bytes, against bank conflicts; 16-byte aligned
// fragment offsets and strides) and CM_NSG*CM_F*CM_F*4 bytes
// where each subgroup unpacks one accumulator fragment at a time in the
// epilogue.

#define CM_NSG ((BM / CM_WM) * (BN / CM_WN))
#define CM_AST (BK + 8)
#define CM_BST (BN + 8)
#define CM_FM (CM_WM / CM_F)
#define CM_FN (CM_WN / CM_F)
#define CM_FF (CM_F * CM_F)

#ifdef DB
#define CM_NBUF 2
#else
#define CM_NBUF 1
#endif
shared float16_t cmA[CM_NBUF * BM * CM_AST];
shared float16_t cmB[CM_NBUF * BK * CM_BST];
shared float cmC[CM_NSG * CM_FF];

// Binding 3 of the including shader: the largest magnitudes of A and B
// as float bits (absmax.comp), words 0 and 1.
layout(std430, binding = 3) readonly buffer BCMMax { uint cmMax[]; };

// Power-of-two scales that bring each input's largest magnitude into
// [2^14, 2^15) before the float16 conversion, and their inverses, applied
// (exactly: powers of two) to the float32 sums in the epilogue. So small
// inputs such as late gradients keep 11 significant bits instead of
// flushing below 6e-8, and large ones never overflow 65504.
float cmScaleA, cmScaleB, cmUnscaleA, cmUnscaleB;

// cmExp2 is the exponent e of the scale 2^e for a largest magnitude given
// as float bits: 15 - (its binary exponent + 1), clamped to +-100; 0 for
// a zero, infinite or NaN maximum.
int cmExp2(uint bits) {
    if (bits == 0u || bits >= 0x7f800000u) {
        return 0;
    }
    int e;
    frexp(uintBitsToFloat(bits), e); // max = f * 2^e, f in [0.5, 1)
    return clamp(15 - e, -100, 100);
}

// cmScales sets the scales; call it before staging anything.
void cmScales() {
#ifdef CM_A_HALF
    int ea = 0;
#else
    int ea = cmExp2(cmMax[0]);
#endif
#ifdef CM_B_HALF
    int eb = 0;
#else
    int eb = cmExp2(cmMax[1]);
#endif
    cmScaleA = exp2(float(ea));
    cmScaleB = exp2(float(eb));
    cmUnscaleA = exp2(float(-ea));
    cmUnscaleB = exp2(float(-eb));
}

#ifdef CM_A_HALF
#define CM_STORE_A(buf, kk, row, v) cmA[(buf) * (BM * CM_AST) + (row) * CM_AST + (kk)] = (v)
#else
#define CM_STORE_A(buf, kk, row, v) cmA[(buf) * (BM * CM_AST) + (row) * CM_AST + (kk)] = float16_t((v) * cmScaleA)
#endif
#ifdef CM_B_HALF
#define CM_STORE_B(buf, kk, col, v) cmB[(buf) * (BK * CM_BST) + (kk) * CM_BST + (col)] = (v)
#else
#define CM_STORE_B(buf, kk, col, v) cmB[(buf) * (BK * CM_BST) + (kk) * CM_BST + (col)] = float16_t((v) * cmScaleB)
#endif

coopmat<float, gl_ScopeSubgroup, CM_F, CM_F, gl_MatrixUseAccumulator> cmAcc[CM_FM][CM_FN];

// cmZero clears the accumulators and sets the scales (cmScales).
void cmZero() {
    cmScales();
    [[unroll]] for (uint i = 0; i < CM_FM; i++) {
        [[unroll]] for (uint j = 0; j < CM_FN; j++) {
            cmAcc[i][j] = coopmat<float, gl_ScopeSubgroup, CM_F, CM_F, gl_MatrixUseAccumulator>(0.0);
        }
    }
}

// cmMultiply adds the product of the tiles staged in buffer buf to this
// subgroup's fragments.
void cmMultiply(uint buf) {
    uint w = gl_SubgroupID;
    uint r0 = (w / (BN / CM_WN)) * CM_WM;
    uint c0 = (w % (BN / CM_WN)) * CM_WN;
    [[unroll]] for (uint kk = 0; kk < BK; kk += CM_F) {
        coopmat<float16_t, gl_ScopeSubgroup, CM_F, CM_F, gl_MatrixUseA> a[CM_FM];
        coopmat<float16_t, gl_ScopeSubgroup, CM_F, CM_F, gl_MatrixUseB> b[CM_FN];
        [[unroll]] for (uint i = 0; i < CM_FM; i++) {
            coopMatLoad(a[i], cmA, buf * (BM * CM_AST) + (r0 + CM_F * i) * CM_AST + kk, CM_AST, gl_CooperativeMatrixLayoutRowMajor);
        }
        [[unroll]] for (uint j = 0; j < CM_FN; j++) {
            coopMatLoad(b[j], cmB, buf * (BK * CM_BST) + kk * CM_BST + c0 + CM_F * j, CM_BST, gl_CooperativeMatrixLayoutRowMajor);
        }
        [[unroll]] for (uint i = 0; i < CM_FM; i++) {
            [[unroll]] for (uint j = 0; j < CM_FN; j++) {
                cmAcc[i][j] = coopMatMulAdd(a[i], b[j], cmAcc[i][j]);
            }
        }
    }
}

// cmEpilogue writes every accumulated element (unscaled) through the
// including shader's output mapping (cmColBase, cmRowOK, CM_ROW_STRIDE,
// cmStore), one fragment at a time through this subgroup's CM_F x CM_F
// slice of cmC. Lane l always takes column l % CM_F of a fragment (CM_SGS
// is a multiple of CM_F), so each lane maps its column to memory once per
// fragment and its rows by one multiply-add each.
void cmEpilogue() {
    uint w = gl_SubgroupID;
    uint r0 = (w / (BN / CM_WN)) * CM_WM;
    uint c0 = (w % (BN / CM_WN)) * CM_WN;
    uint base = w * CM_FF;
    uint lane = gl_SubgroupInvocationID;
    uint lc = lane % CM_F, lr = lane / CM_F;
    float unscale = cmUnscaleA * cmUnscaleB;
    [[unroll]] for (uint i = 0; i < CM_FM; i++) {
        [[unroll]] for (uint j = 0; j < CM_FN; j++) {
            coopMatStore(cmAcc[i][j], cmC, base, CM_F, gl_CooperativeMatrixLayoutRowMajor);
            subgroupMemoryBarrierShared();
            subgroupBarrier();
            uint out0 = cmColBase(c0 + CM_F * j + lc);
            if (out0 != 0xffffffffu) {
                [[unroll]] for (uint u = 0; u < CM_FF / CM_SGS; u++) {
                    uint r = r0 + CM_F * i + lr + (CM_SGS / CM_F) * u;
                    if (cmRowOK(r)) {
                        cmStore(out0 + (rowBase + r) * CM_ROW_STRIDE, cmC[base + lane + CM_SGS * u] * unscale);
                    }
                }
            }
            subgroupMemoryBarrierShared();
            subgroupBarrier();
        }
    }
}
