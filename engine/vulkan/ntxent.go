package vulkan

import (
	"fmt"
	"math"
	"slices"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Fused NT-Xent (see cpu.NTXentForwardBackward for the definition). The
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
// Three kernel families (NTXentKernels, chosen by planNTXent):
//   - gemm (GPUs, d <= 128): 128 x 128 tiles through the GEMM core of
//     ntxent_tile.glsl, 8 x 8 logits per invocation; pass 2 multiplies the
//     weights by z in 16- or 32-column slices through shared memory;
//     faster than the unfused composition (NTXentUnfused) and than tiled
//     on GPUs (docs/performance.md, P5);
//   - tiled (GPUs, d <= 256): 64 x 64 tiles of 4 x 4 logits, pass 2 reading
//     z from global memory per column;
//   - regblock (CPU devices such as lavapipe): register blocks, no shared
//     memory and no barrier (lavapipe runs them as plain loops).
// GPUs get parallelism by splitting the columns into parts. Extra device
// memory at its peak: rows*4 bytes plus the larger of parts*rows*16
// (pass-1 statistics) and, on GPUs when the gradient uses parallel column
// parts, gparts*rows*d*4 (bounded by ntxentMaxPartBytes and
// ntxentMaxGradBytes, see ntxentPlan): O(N d + N); 16.8 MB at 2N = 16384,
// d = 128, where the unfused composition needs 1.07 GB. Everything comes
// from z's shape. Reductions are in fixed orders: results are
// deterministic.

// pushNTXent mirrors `{ uint rows, d, nHalf, chunk, parts, part0; float invTau, scale; }`
// of every ntxent_*.comp.
type pushNTXent struct {
	Rows, D, NHalf, Chunk, Parts, Part0 uint32
	InvTau, Scale                       float32
}

// ntxentPlan is the launch configuration of the fused kernels.
type ntxentPlan struct {
	// gemm: ntxent_forward_gemm / ntxent_backward_gemm (GPUs, d <= 128:
	// 128 x 128 tiles through the GEMM core of ntxent_tile.glsl, 8 x 8
	// logits per invocation, pass 1 double-buffered; sl: pass 2's slice
	// width, 16 or 32). tiled: ntxent_forward_tiled /
	// ntxent_backward_tiled (GPUs, d <= 256: 64 x 64 tiles, 256
	// invocations of 4 x 4 logits, dj gradient dimensions each). Neither:
	// the register-blocked ntxent_forward / ntxent_backward (no shared
	// memory, no barrier).
	gemm           bool
	sl             int
	tiled          bool
	dj             int
	wg, tr, tc     int  // local size, rows per invocation, columns per register block
	cb             int  // ntxent_backward: register blocks per accumulation step
	parts, chunk   int  // column parts of pass 1 (parallel, grid y) and their width
	gparts, gchunk int  // column parts of pass 2 and their width
	gseq           bool // pass-2 parts dispatched one after the other into dz
	lossLocal      int  // ntxent_loss workgroup size
}

// Tile shape of the shared-memory kernels (specialization constants BM, BN,
// BK, TM, TN, WG) and the shared memory they need (backward: As, Bs, Ws).
const (
	ntxentBM, ntxentBN, ntxentBK, ntxentTM, ntxentTN = 64, 64, 16, 4, 4
	ntxentTiledWG                                    = (ntxentBM / ntxentTM) * (ntxentBN / ntxentTN)
	ntxentTiledShared                                = 4 * (ntxentBK*(ntxentBM+ntxentBN) + ntxentBM*(ntxentBN+1))
	ntxentTiledMaxDJ                                 = 16 // d <= 256 for the tiled backward
)

// GEMM-core kernels: 128 x 128 tiles, 256 invocations, d <= 128; shared
// memory of pass 1 (tiles, double-buffered, plus the 4 KiB merge) and of
// pass 2 (single-buffered tiles plus the Ws and Zs slices of sl columns).
const (
	ntxentGemmTile, ntxentGemmWG, ntxentGemmMaxD = 128, 256, 128
	ntxentGemmTiles                              = 2 * 8 * (128/4 + 1) * 16 // As + Bs, one buffer
)

func ntxentGemmShared(pass, sl int) int {
	if pass == 1 {
		return 2*ntxentGemmTiles + 4*4*ntxentGemmWG
	}
	return ntxentGemmTiles + sl*(ntxentGemmTile/4+1)*16 + sl*ntxentGemmMaxD*4
}

// NTXentKernels are the fused kernel families, best first where they
// apply (Options.NTXentKernel forces one).
var NTXentKernels = []string{"gemm", "tiled", "regblock"}

// rowsPerGroup is the number of rows a workgroup of either pass owns.
func (pl ntxentPlan) rowsPerGroup() int {
	if pl.gemm {
		return ntxentGemmTile
	}
	if pl.tiled {
		return ntxentBM
	}
	return pl.wg * pl.tr
}

// forward returns the pass-1 shader and its specialization constants.
func (pl ntxentPlan) forward(vec4 bool) (string, []uint32) {
	if pl.gemm {
		return "ntxent_forward_gemm_128_db", []uint32{b2u(vec4)}
	}
	if pl.tiled {
		return "ntxent_forward_tiled", []uint32{ntxentBM, ntxentBN, ntxentBK, ntxentTM, ntxentTN, ntxentTiledWG}
	}
	return "ntxent_forward", []uint32{uint32(pl.wg), uint32(pl.tr), uint32(pl.tc)}
}

// backward returns the pass-2 shader and its specialization constants.
func (pl ntxentPlan) backward(seq, vec4 bool) (string, []uint32) {
	if pl.gemm {
		return fmt.Sprintf("ntxent_backward_gemm_s%d", pl.sl), []uint32{b2u(vec4), b2u(seq)}
	}
	if pl.tiled {
		return "ntxent_backward_tiled", []uint32{ntxentBM, ntxentBN, ntxentBK, ntxentTM, ntxentTN, ntxentTiledWG, uint32(pl.dj), b2u(seq)}
	}
	return "ntxent_backward", []uint32{uint32(pl.wg), uint32(pl.tr), uint32(pl.tc), b2u(seq), uint32(pl.cb)}
}

const (
	ntxentTargetInvocations = 1 << 16  // GPUs: enough to fill a large device
	ntxentMaxPartBytes      = 8 << 20  // pass-1 statistics
	ntxentMaxGradBytes      = 16 << 20 // pass-2 partial gradients (GPUs)
)

// ntxentPlan picks the configuration for rows x dim on this device (see
// planNTXent); tests may adjust it through d.hooks.ntxentPlan.
func (d *Device) ntxentPlan(op string, rows, dim int) ntxentPlan {
	pl := planNTXent(op, d.info.Type == "cpu", vkrt.LoopBudget(d.info), d.ntxentMaxInv(),
		int(d.limit.MaxComputeSharedMemorySize), rows, dim, d.ntxentKernel)
	if d.hooks != nil && d.hooks.ntxentPlan != nil {
		d.hooks.ntxentPlan(&pl)
	}
	return pl
}

// ntxentGemmFits reports whether the GEMM-core kernels run for d = dim on
// a device with maxInv invocations per workgroup and shared bytes of
// shared memory, and pass 2's slice width (the widest that fits).
func ntxentGemmFits(maxInv, shared, dim int) (ok bool, sl int) {
	if dim > ntxentGemmMaxD || maxInv < ntxentGemmWG || ntxentGemmShared(1, 0) > shared {
		return false, 0
	}
	for _, sl := range []int{32, 16} {
		if ntxentGemmShared(2, sl) <= shared {
			return true, sl
		}
	}
	return false, 0
}

// ntxentMaxInv is the largest 1-D workgroup this device runs: the smaller
// of maxComputeWorkGroupInvocations and maxComputeWorkGroupSize[0].
func (d *Device) ntxentMaxInv() int {
	return int(min(d.limit.MaxComputeWorkGroupInvocations, d.limit.MaxComputeWorkGroupSize[0]))
}

// planNTXent is the launch configuration for rows x dim. kernel is a
// family of NTXentKernels to use where it applies, or "" to choose: GPUs
// run the GEMM-core kernels (d <= 128), else the 64 x 64 tiled ones (d <=
// 256) when the device has the shared memory and invocations, with the
// columns split into enough parallel parts for ntxentTargetGroups
// workgroups, within the memory bounds above. On CPU devices (lavapipe,
// where barrier() is slow) the register-blocked kernels run; their row
// blocks alone keep the threads busy, and the columns are split only to
// respect the loop budget: pass 1 in parallel parts (small statistics),
// pass 2 in parts dispatched one after the other accumulating into dz (no
// extra memory).
func planNTXent(op string, cpuDevice bool, budget, maxInv, shared, rows, dim int, kernel string) ntxentPlan {
	// Register-blocked: 4x4 blocks on GPUs (the 4 x 16 weights of a
	// backward step stay in registers), 8x8 on CPU devices, as the
	// register-blocked GEMM prefers on lavapipe.
	pl := ntxentPlan{wg: 64, tr: 4, tc: 4, cb: 4, parts: 1, gparts: 1, lossLocal: 256}
	if cpuDevice {
		pl.wg, pl.tr, pl.tc, pl.lossLocal = 16, 8, 8, 64
	}
	for pl.wg > maxInv {
		pl.wg /= 2
	}
	for pl.lossLocal > maxInv {
		pl.lossLocal /= 2
	}
	unit, gunit := pl.tc, pl.tc*pl.cb // column granularity of the parts
	if kernel == "" && !cpuDevice || kernel == "gemm" {
		pl.gemm, pl.sl = ntxentGemmFits(maxInv, shared, dim)
	}
	if !pl.gemm && (kernel == "" && !cpuDevice || kernel == "gemm" || kernel == "tiled") {
		pl.tiled = maxInv >= ntxentTiledWG && shared >= ntxentTiledShared && dim <= ntxentTiledMaxDJ*(ntxentBN/ntxentTN)
	}
	switch {
	case pl.gemm:
		unit, gunit = ntxentGemmTile, ntxentGemmTile
	case pl.tiled:
		pl.dj = ceilDiv(dim, ntxentBN/ntxentTN)
		unit, gunit = ntxentBN, ntxentBN
	}
	if !cpuDevice {
		groups := ceilDiv(rows, pl.rowsPerGroup())
		pl.parts = min(max(ceilDiv(ntxentTargetGroups(pl), groups), 1), ceilDiv(rows, unit), max(ntxentMaxPartBytes/(16*rows), 1))
		pl.gparts = min(pl.parts, max(ntxentMaxGradBytes/(4*rows*dim), 1))
	}
	if budget < math.MaxInt32 {
		// Loop iterations per invocation of the register-blocked kernels:
		// pass 1 (dim+1) per column block; pass 2 tr*dim to clear its
		// rows, then (cb+1)*(dim+1) per step of cb blocks.
		fwdBlocks := (budget - 64) / (dim + 1)
		bwdSteps := (budget - 64 - pl.tr*dim) / ((pl.cb+1)*(dim+1) + 8)
		switch {
		case pl.gemm:
			// Per tile of 128 columns: ceil(dim/8) shared-memory steps,
			// and in pass 2 one loop iteration per column.
			fwdBlocks = (budget - 256) / (ceilDiv(dim, 8) + 8) * (ntxentGemmTile / pl.tc)
			bwdSteps = (budget - 256) / (ceilDiv(dim, 8) + ntxentGemmTile + 8) * (ntxentGemmTile / (pl.tc * pl.cb))
		case pl.tiled:
			// Per tile of BN columns: ceil(dim/BK) shared-memory steps of
			// a few loops each, then BN columns of the accumulation.
			perTile := ceilDiv(dim, ntxentBK)*(ntxentBK+4) + ntxentBN + 8
			fwdBlocks = (budget - 64) / perTile * (ntxentBN / pl.tc)
			bwdSteps = (budget - 64) / perTile * (ntxentBN / (pl.tc * pl.cb))
		}
		if bwdSteps < 1 {
			panic(fmt.Sprintf("engine: %s: d = %d is too large for this device's loop budget (%d iterations per invocation)", op, dim, budget))
		}
		pl.parts = max(pl.parts, ceilDiv(ceilDiv(rows, pl.tc), fwdBlocks))
		if need := ceilDiv(rows, bwdSteps*pl.cb*pl.tc); need > pl.gparts {
			pl.gparts, pl.gseq = need, true
		}
		if ceilDiv(rows, pl.lossLocal)*(2*pl.parts+1)+64 > budget {
			panic(fmt.Sprintf("engine: %s: %d x %d is too large for this device's loop budget", op, rows, dim))
		}
	}
	pl.parts, pl.chunk = ntxentParts(rows, pl.parts, unit)
	pl.gparts, pl.gchunk = ntxentParts(rows, pl.gparts, gunit)
	return pl
}

// ntxentTargetGroups is the number of workgroups a GPU plan aims at:
// ntxentTargetInvocations invocations.
func ntxentTargetGroups(pl ntxentPlan) int {
	if pl.gemm {
		return 2 * ntxentTargetInvocations / ntxentGemmWG // 2 x 8 x 8 logits per invocation
	}
	if pl.tiled {
		return ntxentTargetInvocations / ntxentTiledWG * 4 // 4 tiles' worth of registers per invocation
	}
	return ntxentTargetInvocations / pl.wg
}

// ntxentParts splits rows columns into at most parts chunks of a multiple
// of unit columns; it returns the number of non-empty chunks and their width.
func ntxentParts(rows, parts, unit int) (int, int) {
	chunk := ceilDiv(ceilDiv(rows, parts), unit) * unit
	return ceilDiv(rows, chunk), chunk
}

// extraBytes is the peak device memory of the plan's scratch tensors
// (before the allocator's alignment): lse throughout, the pass-1
// statistics until the loss is reduced, then the partial gradients of
// parallel column parts.
func (pl ntxentPlan) extraBytes(rows, dim int, backward bool) int64 {
	b := int64(16 * pl.parts * rows)
	if backward && pl.gparts > 1 && !pl.gseq {
		b = max(b, int64(4*pl.gparts*rows*dim))
	}
	return b + int64(4*rows)
}

// ntxentExtraBytes is the device memory the fused NTXentForwardBackward
// allocates beyond z, dz and out for a (rows, dim) z (before the
// allocator's alignment), with or without the gradient.
func (d *Device) ntxentExtraBytes(rows, dim int, backward bool) int64 {
	return d.ntxentPlan("ntxentExtraBytes", rows, dim).extraBytes(rows, dim, backward)
}

// checkNTXent validates the NT-Xent tensors and returns (rows, d).
func checkNTXent(op string, d *Device, dz, out, z *engine.Tensor, tau float32) (int, int) {
	engine.CheckBackend(op, d, dz, out, z)
	rows, dim := engine.CheckNTXent(op, dz, out, z, tau)
	if uint64(rows)*uint64(max(dim, 4)) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: z %v exceeds 2^32 elements (32-bit shader indices)", op, z.Shape()))
	}
	return rows, dim
}

// NTXentForwardBackward: res (2) = [loss, top1]; dz = dloss/dz unless nil.
func (d *Device) NTXentForwardBackward(dz, res, z *engine.Tensor, tau float32) {
	const op = "NTXentForwardBackward"
	rows, dim := checkNTXent(op, d, dz, res, z, tau)
	pl := d.ntxentPlan(op, rows, dim)
	rowGroups := ceilDiv(rows, pl.rowsPerGroup())
	if rowGroups > int(d.limit.MaxComputeWorkGroupCount[0]) || max(pl.parts, pl.gparts) > int(d.limit.MaxComputeWorkGroupCount[1]) {
		panic(fmt.Sprintf("engine: %s: %d rows need %d x %d workgroups, above maxComputeWorkGroupCount %v", op, rows, rowGroups, max(pl.parts, pl.gparts), d.limit.MaxComputeWorkGroupCount))
	}
	push := pushNTXent{Rows: uint32(rows), D: uint32(dim), NHalf: uint32(rows / 2), Chunk: uint32(pl.chunk),
		Parts: uint32(pl.parts), InvTau: 1 / tau, Scale: float32(1 / (float64(rows) * float64(tau)))}

	part, lse := d.New(pl.parts*rows*4), d.New(rows)
	vec4 := dim%4 == 0
	shader, spec := pl.forward(vec4)
	d.dispatch(kernel{Shader: shader, Spec: spec, Push: &push,
		Groups: [3]int{rowGroups, pl.parts, 1}, Args: []arg{out(part), in(z)}})
	d.dispatch(kernel{Shader: "ntxent_loss", Spec: []uint32{uint32(pl.lossLocal)}, Push: &push,
		Groups: [3]int{1, 1, 1}, Args: []arg{out(res), out(lse), in(part)}})
	part.Release()
	if dz != nil {
		g := push
		g.Chunk, g.Parts = uint32(pl.gchunk), uint32(pl.gparts)
		switch {
		case pl.gparts == 1 || pl.gseq:
			shader, spec := pl.backward(true, vec4)
			for q := 0; q < pl.gparts; q++ {
				gq := g
				gq.Part0 = uint32(q)
				d.dispatch(kernel{Shader: shader, Spec: spec, Push: &gq,
					Groups: [3]int{rowGroups, 1, 1}, Args: []arg{inout(dz), in(z), in(lse)}})
			}
			d.dispatch(kernel{Shader: "ntxent_backward_finish", Spec: []uint32{1}, Push: &g,
				Groups: d.grid1D(rows*dim, 256), Args: []arg{inout(dz), in(z), in(z)}})
		default:
			shader, spec := pl.backward(false, vec4)
			gpart := d.New(pl.gparts * rows * dim)
			d.dispatch(kernel{Shader: shader, Spec: spec, Push: &g,
				Groups: [3]int{rowGroups, pl.gparts, 1}, Args: []arg{out(gpart), in(z), in(lse)}})
			d.dispatch(kernel{Shader: "ntxent_backward_finish", Spec: []uint32{0}, Push: &g,
				Groups: d.grid1D(rows*dim, 256), Args: []arg{out(dz), in(gpart), in(z)}})
			gpart.Release()
		}
	}
	lse.Release()
}

// NTXentUnfused is the unfused composition kept only as a benchmark
// baseline (not part of engine.Backend): S = z z^T / tau with Gemm (rows x
// rows stored), a row pass for the log-sum-exp (ntxent_forward_unfused,
// then ntxent_loss), the gradient weights written over S
// (ntxent_backward_unfused) and dz = W z with Gemm. Same results as
// NTXentForwardBackward up to rounding; O(N^2) memory.
func (d *Device) NTXentUnfused(dz, res, z *engine.Tensor, tau float32) {
	const op = "NTXentUnfused"
	rows, dim := checkNTXent(op, d, dz, res, z, tau)
	if uint64(rows)*uint64(rows) >= 1<<32 {
		panic(fmt.Sprintf("engine: %s: %d x %d similarity matrix exceeds 2^32 elements", op, rows, rows))
	}
	if 2*rows+64 > vkrt.LoopBudget(d.info) {
		panic(fmt.Sprintf("engine: %s: %d rows exceed this device's loop budget (%d iterations per invocation)", op, rows, vkrt.LoopBudget(d.info)))
	}
	push := &pushNTXent{Rows: uint32(rows), D: uint32(dim), NHalf: uint32(rows / 2), Chunk: uint32(rows), Parts: 1,
		InvTau: 1 / tau, Scale: float32(1 / (float64(rows) * float64(tau)))}
	local := vkrt.ReduceLocal(d.info, d.limit)
	s, part, lse := d.New(rows, rows), d.New(rows*4), d.New(rows)
	d.Gemm(false, true, rows, rows, dim, 1/tau, z, z, 0, s)
	d.dispatch(kernel{Shader: "ntxent_forward_unfused", Push: push, Groups: d.grid1D(rows, 64),
		Args: []arg{out(part), in(s)}})
	d.dispatch(kernel{Shader: "ntxent_loss", Spec: []uint32{uint32(local)}, Push: push,
		Groups: [3]int{1, 1, 1}, Args: []arg{out(res), out(lse), in(part)}})
	if dz != nil {
		d.dispatch(kernel{Shader: "ntxent_backward_unfused", Push: push, Groups: d.grid1D(rows*rows, 256),
			Args: []arg{inout(s), in(lse)}})
		d.Gemm(false, false, rows, dim, rows, 1, s, z, 0, dz)
	}
	s.Release()
	part.Release()
	lse.Release()
}

// family is the kernel family of the plan (one of NTXentKernels).
func (pl ntxentPlan) family() string {
	switch {
	case pl.gemm:
		return "gemm"
	case pl.tiled:
		return "tiled"
	}
	return "regblock"
}

// NTXentKernel returns the kernel family the fused NT-Xent runs for a
// (rows, dim) z on this device with kernel forced ("" as
// Options.NTXentKernel: the device's choice).
func (d *Device) NTXentKernel(kernel string, rows, dim int) string {
	checkNTXentKernel("NTXentKernel", kernel)
	return planNTXent("NTXentKernel", d.info.Type == "cpu", vkrt.LoopBudget(d.info), d.ntxentMaxInv(),
		int(d.limit.MaxComputeSharedMemorySize), rows, dim, kernel).family()
}

// checkNTXentKernel panics on a kernel family that is not "" or one of
// NTXentKernels.
func checkNTXentKernel(op, kernel string) {
	if kernel != "" && !slices.Contains(NTXentKernels, kernel) {
		panic(fmt.Sprintf("engine: %s: unknown kernel family %q (want one of %v)", op, kernel, NTXentKernels))
	}
}

// NTXentForwardBackwardKernel is NTXentForwardBackward with the kernel
// family forced for this call, as Options.NTXentKernel does (benchmarks
// compare the families on one device).
func (d *Device) NTXentForwardBackwardKernel(kernel string, dz, res, z *engine.Tensor, tau float32) {
	checkNTXentKernel("NTXentForwardBackwardKernel", kernel)
	saved := d.ntxentKernel
	d.ntxentKernel = kernel
	defer func() { d.ntxentKernel = saved }()
	d.NTXentForwardBackward(dz, res, z, tau)
}
