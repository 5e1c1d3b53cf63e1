// Package cpu is the pure-Go CPU backend of simclr-vk and the reference
// implementation of every op.
//
// Each op exists twice:
//   - a plain, boring reference function on float32 slices with the op's
//     name (cpu.Conv2DForward, cpu.Gemm, ...): the specification that every
//     other implementation, the Vulkan shaders included, is tested against;
//   - a method of *Backend with the same name implementing engine.Backend,
//     which may use a fast path (OpenBLAS loaded at run time, goroutine
//     parallel loops) that tests compare with the reference.
//
// The CPU backend runs ops synchronously: Flush only returns the sticky error.
//
// Fast paths:
//   - GEMM: OpenBLAS's cblas_sgemm, loaded at run time with dlopen
//     (blas_cgo.go: libopenblas.so.0, then the openblas-pthread path, then
//     libopenblas.so; netlib's libblas is refused), so the binary starts
//     where OpenBLAS is missing and falls back to a blocked, goroutine
//     parallel pure-Go GEMM (gemm_go.go). BLASName says which is in use and
//     Options.NoBLAS forces the pure-Go one. OpenBLAS runs single-threaded
//     and products are split into blocks of C over goroutines, except very
//     large ones (blasPoolWork), which go to OpenBLAS's pool, whose threads
//     are told to sleep right after a call so they never compete with the
//     goroutines of the next op. Flat products (few rows of C) are cut into
//     192-column blocks (blasSgemmFlat).
//   - Convolution through oneDNN (onednn*.go, onednn.c, onednn.h):
//     Debian's libdnnl.so.2 (oneDNN 2.x) loaded at run time with dlopen; the
//     few C prototypes and constants are declared in onednn.h (the build
//     needs no oneDNN headers) and other major versions are refused.
//     Forward, backward-data and backward-weights primitives are created on
//     first use per op and shape (batch included) and cached per backend
//     (512 at most, then the cache restarts); the cache lock is held from
//     the lookup of a primitive to the end of its run, so that no eviction
//     or Close frees one in use. Close frees them, and so does a cleanup
//     (runtime.AddCleanup) when a backend is collected unclosed. The
//     OIHW filters, and NCHW activations, are reordered to and from the
//     layouts oneDNN picks (format tag any) through scratch buffers,
//     except activations held in oneDNN's nChw16c (below), which are
//     read and written as they are where the primitive picked exactly
//     that layout. oneDNN's OpenMP
//     threads are set to the backend's thread count on one locked OS
//     thread that makes every oneDNN call (one libgomp pool), and sleep
//     when a primitive ends (OMP_WAIT_POLICY=PASSIVE unless set, set at
//     package initialisation, before any C thread that may call getenv).
//     Options.Conv chooses: ConvAuto (oneDNN where it loads and where
//     oneDNNPays: stride 1 from 16 input channels, and the forward and
//     filter gradient of narrower ones with whole blocks of 16 output
//     channels (the stems), 3x3 stride 2 from 4, the strided 1x1
//     shortcuts where their channels fill blocks, else their forward and
//     filter gradient from 64),
//     ConvOneDNN (every shape; an error where it cannot load) or
//     ConvBuiltin. ConvName says which runs.
//     An op shape that oneDNN fails to create or run runs on the builtin
//     path: with ConvOneDNN the failure, naming op and shape, is the
//     backend's sticky error; with ConvAuto it is logged once per backend
//     and ConvName counts such shapes.
//     Deterministic for a fixed thread count like the builtin path.
//   - Activation layout (layout.go): a tensor's storage is a *cpuBuf,
//     shared by its views, that may hold a (N, C, H, W) activation with
//     C % 16 == 0 in oneDNN's nChw16c (16-channel blocks innermost)
//     instead of NCHW, as the oneDNN convolutions write it, so that
//     activations pass from one convolution to the next without the two
//     reorders each call would pay. data(t), the accessor of every op,
//     converts such a buffer back to NCHW in place (once, under the
//     buffer's lock), so ops that know no layout stay correct, and
//     Upload, Download and Release see NCHW; the ops that take the
//     blocked layout as it is: the oneDNN convolutions, training and
//     inference batch norm (batchnorm_blocked.go, AVX2 unit kernels in
//     simd_blocked_cgo.go, Go loops elsewhere: bit-identical but for the
//     sign of a zero the fused ReLU leaves (AVX2 -0, Go +0), and the
//     same for any thread count), the ReLUs, Add, Copy, Axpy (when one
//     operand is blocked the others are converted to it) and global
//     average pooling (pool_blocked.go, bit-identical to NCHW).
//   - Convolution, builtin (conv_fast.go): per image im2col (scratch from pools,
//     scratch.go) + GEMM, images taken in turn by goroutines
//     (parallelBlocks); 1x1 stride-1 convs use x directly; stride-1
//     backward-data runs as a forward convolution with the flipped filter.
//     With OpenBLAS, forward and stride-1 backward-data convolutions whose
//     output passes about 192 positions run in blocks of whole output rows
//     (conv_rows.go): im2col and GEMM a block at a time in one small
//     buffer, which stays in cache between the two.
//     The filter gradient of "same" stride-1 convolutions with few output
//     channels or small planes, and the forward and backward data of the
//     middle-sized ones, skip im2col (conv_filter.go): one GEMM per filter
//     tap on shifted planes.
//   - Batch norm (batchnorm_fast.go): one statistics pass with shifted
//     float64 sums per plane, one float32 output pass; ReLU masks are
//     branch-free (relu_fast.go); on amd64 with cgo and AVX2 these passes,
//     ReLU and Add run as C kernels built for AVX2 without FMA
//     (simd_cgo.go; the Go compiler does not vectorise), a batch-norm
//     block's planes of one image per call. Results are within rounding of the
//     reference, bit-identical across thread counts. Batch norm in parts
//     (statistics, apply, backward sums, backward apply, for statistics
//     merged across devices: the references in batchnorm_split.go are the
//     spec) runs the fast kernels of batchnorm_split_fast.go over (group,
//     channel) units in parallel, each unit in a fixed order.
//   - NT-Xent (ntxent.go, ntxentFast): blocks of 64 rows over goroutines,
//     the similarity matrix streamed in 256-column tiles through the GEMM
//     twice (log-sum-exp, then the gradient), never stored whole; the
//     reference builds the full 2N x 2N matrices.
//   - Elementwise ops, reductions, pooling and bias split independent
//     outputs over goroutines; every output is computed in a fixed order, so
//     results do not depend on the thread count (the filter gradient sums
//     per-chunk partials in chunk order: fixed for a thread count).
package cpu
