// Package engine defines the tensor type and the Backend interface that every
// compute backend of simclr-vk implements: the pure-Go CPU backend
// (engine/cpu, the reference and the fallback) and the Vulkan backend
// (engine/vulkan, SPIR-V compute shaders on any Vulkan GPU or lavapipe).
//
// Conventions shared by every op:
//   - All tensors hold float32 in row-major order; images are NCHW. A
//     backend that is a Float16Storer also makes Float16 tensors (half
//     the bytes; dtype.go): ops still compute in float32, read float16
//     operands exactly and round float16 outputs once; only the operands
//     Float16Operands lists take them, and every other operand refuses
//     them (CheckNumel panics naming the op and the operand).
//   - Ops never allocate their outputs: the caller passes dst tensors of the
//     right size. A shape mismatch is a programming error and panics with an
//     "engine: <op>: ..." message.
//   - Ops are asynchronous on devices that queue work (Vulkan records into a
//     command buffer). Download and Flush wait for queued work and return the
//     first driver error that happened since the last Flush (sticky error).
//   - Backward ops overwrite their outputs (beta = 0); gradient accumulation
//     across several consumers is the graph layer's job (Axpy / Add).
//   - Memory has explicit lifetimes: Tensor.Release returns one tensor, and
//     an Arena releases everything one piece of work (a step) allocated.
//     (layers keeps its own size-keyed pool on top, reusing tensors across
//     steps instead of releasing them.)
//   - Integer data (labels, argmax indices) is carried as exactly representable
//     float32 values (< 2^24).
//
// No backend imports another (imports_test.go checks it): what two of them
// need lives here, small and without dependencies beyond the standard
// library: the shapes (params.go), the Winograd F(m x m, 3x3) geometry
// (winograd.go: eligibility, tile counts, the backward-data convolution)
// and the reference GEMM (gemm.go: RefGemm, which the Vulkan backend's
// cooperative-matrix self-check at device open compares with). The per-op
// references (engine/cpu) stay the spec that the backends' tests check
// against.
package engine
