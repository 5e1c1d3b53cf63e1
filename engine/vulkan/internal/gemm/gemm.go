package gemm

import (
	"fmt"
	"strings"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/shaders"
)

// GEMM kernels (the names Options.GemmVariant, the autotuner and
// Plans.Gemm use):
//   - tiled_128x128, tiled_64x64, tiled_32x32 (gemm_tiled.comp, GPUs):
//     BM x BN block tiles staged through shared memory BK deep, each
//     invocation computing TM x TN outputs; 256, 256 and 64 invocations,
//     8.3, 8.5 and 4.5 KiB of shared memory (checked against the device
//     limits).
//     The small tile keeps more workgroups in flight on small products.
//   - tiled_128x128_db, tiled_64x64_db: the same tiles double-buffered
//     (the next tile's global loads overlap the current multiply-adds, one
//     barrier per k step, 16 KiB of shared memory); tiled_128x128_k16:
//     16-deep tiles (half the barriers per multiply-add, 17 KiB);
//     tiled_64x128, tiled_128x64: rectangular 16-deep tiles for products
//     with 64 rows or columns (Winograd's on 64-channel layers), 12.5 KiB.
//     Autotuning candidates, not in the table until measured on a GPU.
//   - tiled_128x128_v4, tiled_64x64_v4, tiled_128x128_db_v4,
//     tiled_128x128_k16_v4, tiled_64x128_v4, tiled_128x64_v4: the same
//     tiles loading global memory as vec4s (a quarter of the load
//     instructions) where gemmV4OK, else the plain variant; autotuning
//     candidates.
//   - splitk_64x64, splitk_32x32 (gemm_tiled.comp SPLIT_K variants, then
//     gemm_splitk_reduce.comp; splitk.go): for small m*n with a long
//     k (weight gradients), each workgroup reduces one K slice into a
//     partial buffer and a second pass adds the slices in a fixed order.
//   - subgroup (CPU devices with 8-wide subgroups and ballot, i.e.
//     lavapipe on AVX2/AVX-512): no shared memory, no barrier(); each
//     invocation computes 32 x 16 outputs (16 x 16 for short matrices) and
//     the 8 lanes of a subgroup share the loads of A by subgroupBroadcast,
//     because on lavapipe buffer loads, not multiply-adds, take the time.
//   - coopmat, coopmat_db: gemm_tiled_128x128_[db_]cm_s<lanes>, 128x128
//     tiles multiplied by float16 cooperative matrices with float32
//     accumulation, for every product when the device runs cooperative
//     matrices (Options.CoopMat, coopmat.go); coopmat_db (double-buffered)
//     only when GemmVariant asks for it.
//   - regblock (other CPU devices): 8 x 8 outputs per invocation with vec4
//     loads (gemm_vec4, m, n, k multiples of 4) or scalar loads
//     (gemm_regblock). Its _f16 variants are the only kernels for float16
//     operands, on every device (gemm16.go).
// Each product falls in a shape class (Class: small, medium, large,
// huge, skinny, splitk); the kernel of a class comes from the table (table), or, with
// Options.Autotune, from a measurement on this device cached on disk
// (classes.go, tune.go). Batches go over the z dimension, split into several
// dispatches above maxComputeWorkGroupCount[2]. CPU reference: cpu.Gemm /
// cpu.GemmBatched. The measurements behind the table: docs/performance.md
// (P1).

// pushGemm mirrors `{ uint m, n, k, batch0; float alpha, beta; }` of
// gemm_regblock.comp and gemm_tiled.comp.
type pushGemm struct {
	M, N, K, Batch0 uint32
	Alpha, Beta     float32
}

// kernel returns the shader, specialization constants and tile of C
// per workgroup (rows, cols) of a non-split kernel.
func (o *Ops) kernel(kernel string, transA, transB bool, m, n, k int) (string, []uint32, int, int) {
	if base, ok := strings.CutSuffix(kernel, "_v4"); ok {
		shader, spec, rows, cols := o.kernel(base, transA, transB, m, n, k)
		if gemmV4OK(transA, transB, m, n, k) {
			shader += "_v4"
		}
		return shader, spec, rows, cols
	}
	maxInv := int(o.Limit.MaxComputeWorkGroupInvocations)
	switch kernel {
	case "subgroup":
		// 8 lanes (the subgroup) along x, wgY subgroups along y.
		tm, tn, wgY := 32, 16, 4
		if m <= 16 {
			tm = 16
		}
		wgY = min(wgY, vkrt.CeilDiv(m, tm), maxInv/8)
		return fmt.Sprintf("gemm_subgroup_%dx%d", tm, tn), []uint32{uint32(wgY), b2u(transA), b2u(transB)}, wgY * tm, 8 * tn
	}
	// tiled_<variant> and coopmat[_db] run gemm_tiled_<variant>, its block
	// tile from its variant line.
	var variant string
	switch kernel {
	case "coopmat":
		variant = "128x128_" + o.cm
	case "coopmat_db":
		variant = "128x128_db_" + o.cm
	default:
		if v, ok := strings.CutPrefix(kernel, "tiled_"); ok {
			variant = v
		}
	}
	if v, ok := shaders.VariantOf("gemm_tiled", variant); ok && !v.SplitK && !v.V4 {
		return "gemm_tiled_" + variant, []uint32{b2u(transA), b2u(transB)}, v.BM, v.BN
	}
	// regblock
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

// gemmV4OK reports whether the _v4 kernels' vec4 loads fit a product: the
// contiguous dimension of op(A)'s storage (k, or m when transposed) and of
// op(B)'s (n, or k when transposed) are multiples of 4.
func gemmV4OK(transA, transB bool, m, n, k int) bool {
	ca, cb := k, n
	if transA {
		ca = m
	}
	if transB {
		cb = k
	}
	return ca%4 == 0 && cb%4 == 0
}

func (o *Ops) gemm(op string, transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	engine.CheckBackend(op, o.Owner, a, b, c)
	engine.CheckSizes(op, "batch m n k", batch, m, n, k)
	engine.CheckNumelOf(op, "a", a, batch*m*k, f32or16...)
	engine.CheckNumelOf(op, "b", b, batch*k*n, f32or16...)
	engine.CheckNumelOf(op, "c", c, batch*m*n, f32or16...)
	if uint64(batch)*uint64(max(m*k, k*n, m*n)) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: batch %d of %dx%dx%d exceeds 2^32 elements (32-bit shader indices)", op, batch, m, n, k))
	}
	o.Record(o.kernelFor(halfMask(a, b, c), batch, m, n, k), transA, transB, batch, m, n, k, alpha, a, b, beta, c)
}

// Record records one (batched) product with the named kernel; float16
// operands need regblock (gemm16.go).
func (o *Ops) Record(choice string, transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	half := checkHalf("Gemm", choice, a, b, c)
	if strings.HasPrefix(choice, "splitk_") {
		o.splitK(choice, transA, transB, batch, m, n, k, alpha, a, b, beta, c)
		return
	}
	shader, spec, rows, cols := o.kernel(choice, transA, transB, m, n, k)
	if half != "" {
		shader = half // regblock's tile and spec constants, scalar loads
	}
	gx, gy := vkrt.CeilDiv(n, cols), vkrt.CeilDiv(m, rows)
	maxZ := int(o.Limit.MaxComputeWorkGroupCount[2])
	// beta == 0: C is only written (its old contents are ignored).
	args := []vkrt.Arg{vkrt.Out(c), vkrt.In(a), vkrt.In(b)}
	if strings.HasPrefix(choice, "coopmat") {
		scales := o.CoopMatMax(a, b) // binding 3: per-tensor input scales
		defer scales.Release()
		args = append(args, vkrt.In(scales))
	}
	for b0 := 0; b0 < batch; b0 += maxZ {
		nb := min(batch-b0, maxZ)
		o.RT.Dispatch(vkrt.Kernel{
			Shader: shader,
			Spec:   spec,
			Push:   &pushGemm{uint32(m), uint32(n), uint32(k), uint32(b0), alpha, beta},
			Groups: [3]int{gx, gy, nb},
			Args:   args,
		})
	}
}

// Gemm: C (m, n) = alpha * op(A) op(B) + beta * C.
func (o *Ops) Gemm(transA, transB bool, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	o.gemm("Gemm", transA, transB, 1, m, n, k, alpha, a, b, beta, c)
}

// GemmBatched: batch independent Gemms over contiguous matrices.
func (o *Ops) GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a, b *engine.Tensor, beta float32, c *engine.Tensor) {
	o.gemm("GemmBatched", transA, transB, batch, m, n, k, alpha, a, b, beta, c)
}
