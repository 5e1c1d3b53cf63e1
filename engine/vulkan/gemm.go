package vulkan

import (
	"fmt"

	"simclr-vk/engine"
)

// GEMM kernels, picked per device (Options.GemmVariant overrides):
//   - gemm_tiled (GPUs): BM x BN block tiles staged through shared memory
//     BK deep, each invocation computing TM x TN outputs; tile sizes are
//     specialization constants limited by maxComputeSharedMemorySize and
//     maxComputeWorkGroupInvocations.
//   - gemm_subgroup (CPU devices with 8-wide subgroups and ballot, i.e.
//     lavapipe on AVX2/AVX-512): no shared memory, no barrier(); each
//     invocation computes 32 x 16 outputs (16 x 16 for short matrices) and
//     the 8 lanes of a subgroup share the loads of A by subgroupBroadcast,
//     because on lavapipe buffer loads, not multiply-adds, take the time.
//   - gemm_vec4 / gemm_regblock (other CPU devices): 8 x 8 outputs per
//     invocation with vec4 loads (m, n, k multiples of 4) or scalar loads.
// Batches go over the z dimension, split into several dispatches above
// maxComputeWorkGroupCount[2]. CPU reference: cpu.Gemm / cpu.GemmBatched.
// Measured with `simclr-vk bench gemm` at 1024^3: lavapipe on 2 cores
// (LP_NUM_THREADS=2), gemm_subgroup 18 GFLOP/s, gemm_vec4 11; NVIDIA H200,
// gemm_tiled 7.8 TFLOP/s at 1024^3 and 31-33 TFLOP/s from 2048^3 to 8192^3
// (all transposes), up from 2.1 before the vec4 shared-memory reads and
// compile-time tiles.

// pushGemm mirrors `{ uint m, n, k, batch0; float alpha, beta; }` of
// gemm_regblock.comp and gemm_tiled.comp.
type pushGemm struct {
	M, N, K, Batch0 uint32
	Alpha, Beta     float32
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// gemmKernel returns the shader, specialization constants and tile of C
// per workgroup (rows, cols) for this device.
func (d *Device) gemmKernel(transA, transB bool, m, n, k int) (string, []uint32, int, int) {
	maxInv := int(d.limit.MaxComputeWorkGroupInvocations)
	switch d.gemmVariant {
	case "subgroup":
		// 8 lanes (the subgroup) along x, wgY subgroups along y.
		tm, tn, wgY := 32, 16, 4
		if m <= 16 {
			tm = 16
		}
		wgY = min(wgY, ceilDiv(m, tm), maxInv/8)
		return fmt.Sprintf("gemm_subgroup_%dx%d", tm, tn), []uint32{uint32(wgY), b2u(transA), b2u(transB)}, wgY * tm, 8 * tn
	case "regblock":
		wgX, wgY := 8, 8
		for wgX*wgY > maxInv {
			wgY /= 2
		}
		shader := "gemm_regblock_8x8"
		if m%4 == 0 && n%4 == 0 && k%4 == 0 {
			shader = "gemm_vec4_8x8"
		}
		return shader, []uint32{uint32(wgX), uint32(wgY), b2u(transA), b2u(transB)}, wgY * 8, wgX * 8
	}
	// Tiled: 128x128x8 with 8x8 per invocation on big problems, 64x64x16
	// with 4x4 on small ones (both 256 invocations, 8 KiB of shared memory);
	// a device that cannot take them gets the register-blocked kernel.
	if maxInv < 256 || d.limit.MaxComputeSharedMemorySize < 8192 {
		return "gemm_regblock_8x8", []uint32{8, uint32(min(8, maxInv/8)), b2u(transA), b2u(transB)}, min(8, maxInv/8) * 8, 64
	}
	if m*n >= 512*512 {
		return "gemm_tiled_128x128", []uint32{b2u(transA), b2u(transB)}, 128, 128
	}
	return "gemm_tiled_64x64", []uint32{b2u(transA), b2u(transB)}, 64, 64
}

func (d *Device) gemm(op string, transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	engine.CheckBackend(op, d, a, b, c)
	if batch <= 0 || m <= 0 || n <= 0 || k <= 0 {
		panic(fmt.Sprintf("engine: %s: non-positive size batch %d m %d n %d k %d", op, batch, m, n, k))
	}
	engine.CheckNumel(op, "a", a, batch*m*k)
	engine.CheckNumel(op, "b", b, batch*k*n)
	engine.CheckNumel(op, "c", c, batch*m*n)
	if uint64(batch)*uint64(max(m*k, k*n, m*n)) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: batch %d of %dx%dx%d exceeds 2^32 elements (32-bit shader indices)", op, batch, m, n, k))
	}
	shader, spec, rows, cols := d.gemmKernel(transA, transB, m, n, k)
	gx, gy := ceilDiv(n, cols), ceilDiv(m, rows)
	maxZ := int(d.limit.MaxComputeWorkGroupCount[2])
	// beta == 0: C is only written (its old contents are ignored).
	cArg := out(c)
	for b0 := 0; b0 < batch; b0 += maxZ {
		nb := min(batch-b0, maxZ)
		d.dispatch(kernel{
			Shader: shader,
			Spec:   spec,
			Push:   &pushGemm{uint32(m), uint32(n), uint32(k), uint32(b0), alpha, beta},
			Groups: [3]int{gx, gy, nb},
			Args:   []arg{cArg, in(a), in(b)},
		})
	}
}

// Gemm: C (m, n) = alpha * op(A) op(B) + beta * C.
func (d *Device) Gemm(transA, transB bool, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	d.gemm("Gemm", transA, transB, 1, m, n, k, alpha, a, b, beta, c)
}

// GemmBatched: batch independent Gemms over contiguous matrices.
func (d *Device) GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	d.gemm("GemmBatched", transA, transB, batch, m, n, k, alpha, a, b, beta, c)
}
