// conv2d_tiled_variants.glsl: the variants of the three implicit-GEMM
// convolutions conv2d_{forward,backward_data,backward_filter}_tiled.comp,
// which include it in their header (tools/shadergen reads variant lines
// in included files too, so the three passes are declared once, and
// engine/vulkan finds their geometry in shaders.Variants). Comments only.
//
// variant: 128x128 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8
// variant: 128x64 -DBM=128 -DBN=64 -DBK=8 -DTM=8 -DTN=4
// variant: 64x128 -DBM=64 -DBN=128 -DBK=8 -DTM=4 -DTN=8
// variant: 64x64 -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4
// variant: 128x128_k16 -DBM=128 -DBN=128 -DBK=16 -DTM=8 -DTN=8
// variant: 128x128_db -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DDB=1
// variant: 64x64_db -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4 -DDB=1
// variant: 128x128_cm_s8 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32
// variant: 128x128_cm_s32 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32
// variant: 128x128_cm_s64 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64
// variant: 128x128_db_cm_s8 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32
// variant: 128x128_db_cm_s32 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32
// variant: 128x128_db_cm_s64 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64
// variant: 64x128_cm_s8 needs=GL_KHR_cooperative_matrix -DBM=64 -DBN=128 -DBK=16 -DCM_F=8 -DCM_SGS=8 -DCM_WM=16 -DCM_WN=32
// variant: 64x128_cm_s32 needs=GL_KHR_cooperative_matrix -DBM=64 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32
// variant: 64x128_cm_s64 needs=GL_KHR_cooperative_matrix -DBM=64 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64
// variant: 128x128_k32_cm_s8 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=32 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32
// variant: 128x128_k32_cm_s32 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=32 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32
// variant: 128x128_k32_cm_s64 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=32 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64
// variant: 128x128_f16 -DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DF16=1
// variant: 128x64_f16 -DBM=128 -DBN=64 -DBK=8 -DTM=8 -DTN=4 -DF16=1
// variant: 64x128_f16 -DBM=64 -DBN=128 -DBK=8 -DTM=4 -DTN=8 -DF16=1
// variant: 64x64_f16 -DBM=64 -DBN=64 -DBK=16 -DTM=4 -DTN=4 -DF16=1
// variant: 128x128_cm_s8_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32 -DF16=1
// variant: 128x128_cm_s32_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32 -DF16=1
// variant: 128x128_cm_s64_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64 -DF16=1
// variant: 128x128_db_cm_s8_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32 -DF16=1
// variant: 128x128_db_cm_s32_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32 -DF16=1
// variant: 128x128_db_cm_s64_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=16 -DDB=1 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64 -DF16=1
// variant: 64x128_cm_s8_f16 needs=GL_KHR_cooperative_matrix -DBM=64 -DBN=128 -DBK=16 -DCM_F=8 -DCM_SGS=8 -DCM_WM=16 -DCM_WN=32 -DF16=1
// variant: 64x128_cm_s32_f16 needs=GL_KHR_cooperative_matrix -DBM=64 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32 -DF16=1
// variant: 64x128_cm_s64_f16 needs=GL_KHR_cooperative_matrix -DBM=64 -DBN=128 -DBK=16 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64 -DF16=1
// variant: 128x128_k32_cm_s8_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=32 -DCM_F=8 -DCM_SGS=8 -DCM_WM=32 -DCM_WN=32 -DF16=1
// variant: 128x128_k32_cm_s32_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=32 -DCM_F=16 -DCM_SGS=32 -DCM_WM=64 -DCM_WN=32 -DF16=1
// variant: 128x128_k32_cm_s64_f16 needs=GL_KHR_cooperative_matrix -DBM=128 -DBN=128 -DBK=32 -DCM_F=16 -DCM_SGS=64 -DCM_WM=64 -DCM_WN=64 -DF16=1
// Cooperative-matrix variants (128x128_[db_]cm_s<SGS>, CM_SGS defined; for
// devices whose subgroup size is SGS): the same staging, the tiles stored
// as float16 and multiplied by cooperative matrices with float32
// accumulation (coopmat_tile.glsl: layout, shared memory, rounding):
// 16x16x16 fragments for s32 and s64 (256 invocations), 8x8x8 for s8
// (lavapipe's shape; 128 invocations). Used only where the device has
// VK_KHR_cooperative_matrix with that shape and the user asked for it
// (engine/vulkan Options.CoopMat).
// The db_ variants are double-buffered like the float32 _db ones (an
// autotuning candidate).
// The 64x128 ones (128 invocations) leave no row idle on 64-channel
// layers, where 128x128 wastes half its multiply-adds.
// The k32 ones stage 32-deep tiles: half the barriers per multiply-add,
// twice the staging registers (an autotuning candidate).
// 128x128_k16 stages 16-deep tiles (half the barriers per multiply-add).
// Double-buffered variants (DB defined): gemm_tile.glsl.
// Float16 variants (<tile>_f16, F16 defined: conv2d_half.glsl): the
// table's four float32 tiles with the activations (x, y, dy, dx) stored as
// engine.Float16, for engine.Float16 operands; the tiles, the sums, w and
// dw stay float32. The cooperative-matrix ones (<cm variant>_f16: F16
// with the CM defines) stage the float16 activations straight into their
// float16 tiles (unscaled: the tiles hold them exactly, and the multiply
// must keep their subnormals, checked at open), w (scaled and rounded as
// in the float32 cm variants) beside them; engine/vulkan/internal/conv
// runs them for float16 operands where it runs the float32 cm variants
// for float32 ones (and that check passed).
// No float32-tile 16-deep or double-buffered float16 variant exists yet:
// engine/vulkan/internal/conv never picks those (nor Winograd) for float16
// operands.
