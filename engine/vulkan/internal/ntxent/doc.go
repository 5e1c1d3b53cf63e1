// Package ntxent is the Vulkan op family of the NT-Xent loss and its
// gradient (engine.Backend's NTXentForwardBackward): the fused kernels and
// their plan (plan.go), and the unfused composition kept as a benchmark
// baseline only (unfused.go; package vulkan reaches it through its Lab).
// Shaders is the family's kernel table.
//
// The fused NT-Xent (see cpu.NTXentForwardBackward for the definition). The
// 2N x 2N similarity matrix is never stored:
//
//  1. ntxent_forward[_tiled|_gemm] streams tiles of z z^T / tau and keeps,
//     per row and per column part, a running max and sum of exponentials,
//     the positive logit and the largest negative;
//  2. ntxent_loss merges the parts per row (lse_i), and reduces loss and
//     top-1 in a fixed order into out;
//  3. ntxent_backward[_tiled|_gemm] streams the tiles again and accumulates
//     sum_k (p_ik + p_ki) z_k with p_ki = exp(s_ik - lse_k) (s is symmetric)
//     per column part;
//  4. ntxent_backward_finish adds the parts and forms
//     dz = (acc - 2 z_pos) / (2N tau).
//
// Three kernel families (Kernels, chosen by planNTXent):
//   - gemm (GPUs, d <= 128): 128 x 128 tiles through the GEMM core of
//     ntxent_tile.glsl, 8 x 8 logits per invocation; pass 2 multiplies the
//     weights by z in 16- or 32-column slices through shared memory;
//     faster than the unfused composition (Unfused, a lab kernel) and than tiled
//     on GPUs (docs/performance.md, P5);
//   - tiled (GPUs, d <= 256): 64 x 64 tiles of 4 x 4 logits, pass 2 reading
//     z from global memory per column;
//   - regblock (CPU devices such as lavapipe): register blocks, no shared
//     memory and no barrier (lavapipe runs them as plain loops).
//
// GPUs get parallelism by splitting the columns into parts. Extra device
// memory at its peak: rows*4 bytes plus the larger of parts*rows*16
// (pass-1 statistics) and, on GPUs when the gradient uses parallel column
// parts, gparts*rows*d*4 (bounded by ntxentMaxPartBytes and
// ntxentMaxGradBytes, see planNTXent): O(N d + N); 16.8 MB at 2N = 16384,
// d = 128, where the unfused composition needs 1.07 GB. Everything comes
// from z's shape. Reductions are in fixed orders: results are
// deterministic.
package ntxent
