package ntxent

import (
	"fmt"
	"math"

	"simclr-vk/engine/vulkan/internal/vkrt"
)

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

// planNTXent is the launch configuration for rows x dim. kernel is a
// family of Kernels to use where it applies, or "" to choose: GPUs
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
		pl.dj = vkrt.CeilDiv(dim, ntxentBN/ntxentTN)
		unit, gunit = ntxentBN, ntxentBN
	}
	if !cpuDevice {
		groups := vkrt.CeilDiv(rows, pl.rowsPerGroup())
		pl.parts = min(max(vkrt.CeilDiv(ntxentTargetGroups(pl), groups), 1), vkrt.CeilDiv(rows, unit), max(ntxentMaxPartBytes/(16*rows), 1))
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
			fwdBlocks = (budget - 256) / (vkrt.CeilDiv(dim, 8) + 8) * (ntxentGemmTile / pl.tc)
			bwdSteps = (budget - 256) / (vkrt.CeilDiv(dim, 8) + ntxentGemmTile + 8) * (ntxentGemmTile / (pl.tc * pl.cb))
		case pl.tiled:
			// Per tile of BN columns: ceil(dim/BK) shared-memory steps of
			// a few loops each, then BN columns of the accumulation.
			perTile := vkrt.CeilDiv(dim, ntxentBK)*(ntxentBK+4) + ntxentBN + 8
			fwdBlocks = (budget - 64) / perTile * (ntxentBN / pl.tc)
			bwdSteps = (budget - 64) / perTile * (ntxentBN / (pl.tc * pl.cb))
		}
		if bwdSteps < 1 {
			panic(fmt.Sprintf("engine: %s: d = %d is too large for this device's loop budget (%d iterations per invocation)", op, dim, budget))
		}
		pl.parts = max(pl.parts, vkrt.CeilDiv(vkrt.CeilDiv(rows, pl.tc), fwdBlocks))
		if need := vkrt.CeilDiv(rows, bwdSteps*pl.cb*pl.tc); need > pl.gparts {
			pl.gparts, pl.gseq = need, true
		}
		if vkrt.CeilDiv(rows, pl.lossLocal)*(2*pl.parts+1)+64 > budget {
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
	chunk := vkrt.CeilDiv(vkrt.CeilDiv(rows, parts), unit) * unit
	return vkrt.CeilDiv(rows, chunk), chunk
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

// family is the kernel family of the plan (one of Kernels).
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
