package conv

import (
	"fmt"
	"strings"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// The convolution plan: which kernel (convTile) each pass of a problem
// runs, from the options, the table or the autotuner.

// convTileFor picks the kernel for a pass from the table (convTableTile,
// or convTableTile16 for float16 activations); on GPUs with autotuning
// on, the measured choice for this exact problem instead (autotune.go),
// timed with run, which writes out.
func (o *Ops) convTileFor(pass string, p engine.Conv2DParams, f16 bool, out *engine.Tensor, run func(convTile)) convTile {
	var t convTile
	switch {
	case o.cfg.Variant == "" && o.cfg.Tuner != nil && (o.Info.Type != "cpu" || o.cfg.TuneOnCPU) && o.RT.Err() == nil:
		t = o.convTuned(pass, p, f16, out, run)
	case f16:
		t = o.convTableTile16(pass, p)
	default:
		t = o.convTableTile(pass, p)
	}
	if t.f16 != f16 || (f16 && t.winograd != 0) {
		panic(fmt.Sprintf("engine/vulkan: conv: %s picked for %s with float16 activations %v", t.name(), o.convProblem(pass, p, f16), f16))
	}
	return t
}

// convTableTile is the unmeasured choice.
//
// CPU devices: Winograd for the 3x3 stride-1 forward and backward-data
// passes with at least 16 input channels (winogradTable). Otherwise
// (lavapipe runs a workgroup of 64 as SIMD coroutines and a
// barrier() is a coroutine switch) the register-blocked kernel, 8x8
// outputs per invocation in an 8x8 workgroup once there are 64 rows, else
// 4x4 in a 16x4 workgroup, which leaves no row idle for the 16-channel
// layers of narrow ResNets (BenchmarkConvTiles on lavapipe).
//
// GPUs: the tiled kernel from 32 rows (faster than the register-blocked
// kernel on wide layers: docs/performance.md, P4), with the largest block
// tile that still gives the device about
// fillGroups workgroups (128x128 like the large GEMM class, then 128x64 or
// 64x128 along the longer side, then 64x64); else the register-blocked
// kernel with 256 invocations of 4x4. Backward-data at stride > 1 went to
// the register-blocked kernel while the tiled one staged the taps that
// miss dy as zeros (3x slower); it now runs each stride class's own taps,
// like stride 1 (unmeasured on a GPU; the autotuner times both).
func (o *Ops) convTableTile(pass string, p engine.Conv2DParams) convTile {
	rows, cols := convShape(pass, p)
	if o.cfg.CoopMat != "" {
		// Cooperative matrices for every pass (Config.CoopMat): 64x128 where
		// the rows fit it, else 128x128.
		cms := o.convCoopMat()
		for _, t := range cms {
			if "tiled_"+t.variant == o.cfg.Variant {
				return t
			}
		}
		if rows <= 64 {
			return cms[1]
		}
		return cms[0]
	}
	if o.cfg.Variant == "" && o.Info.Type == "cpu" && o.winogradTable(pass, p) {
		return convWinograd
	}
	tiled := o.Info.Type != "cpu" && rows >= 32
	switch o.cfg.Variant {
	case "tiled":
		tiled = true
	case "regblock":
		tiled = false
	case "winograd", "winograd_f2x3":
		if o.winogradFits(pass, p, 2) {
			return convWinograd
		}
	case "winograd_f4x3":
		if o.winogradFits(pass, p, 4) {
			return convWinograd4
		}
	default:
		if strings.HasPrefix(o.cfg.Variant, "tiled_") {
			for _, t := range convTiledVariants {
				if t.name() == o.cfg.Variant {
					return t
				}
			}
		}
	}
	if tiled {
		if t, ok := o.convTiledPick(pass, rows, cols, p); ok {
			return t
		}
	}
	return o.convRegblock(rows, false)
}

// convRegblock is the register-blocked kernel for a GEMM output of rows
// rows (see convTableTile), its float16 variant with f16.
func (o *Ops) convRegblock(rows int, f16 bool) convTile {
	t := o.regblockShape(rows)
	t.f16 = f16
	return t
}

// regblockShape is convRegblock's workgroup and register block.
func (o *Ops) regblockShape(rows int) convTile {
	maxInv := int(o.Limit.MaxComputeWorkGroupInvocations)
	if o.Info.Type == "cpu" {
		if rows >= 64 && maxInv >= 64 {
			return convTile{wgX: 8, wgY: 8, tm: 8, tn: 8}
		}
		return convTile{wgX: max(1, min(16, maxInv/4)), wgY: min(4, maxInv), tm: 4, tn: 4}
	}
	t := convTile{tm: 4, tn: 4}
	inv := min(256, maxInv)
	t.wgY = 1
	for t.wgY*2*t.tm <= rows+t.tm-1 && t.wgY*2 <= 16 && t.wgY*2 <= inv {
		t.wgY *= 2
	}
	t.wgX = max(1, inv/t.wgY)
	return t
}

// convTiledPick is the table's tiled variant for a rows x cols output: the
// first variant (largest first) whose rows are used at least half and
// that gives about fillGroups workgroups (counting the filter gradient's
// reduction chunks), else the smallest that fits.
func (o *Ops) convTiledPick(pass string, rows, cols int, p engine.Conv2DParams) (convTile, bool) {
	var last convTile
	found := false
	for _, t := range convTiledVariants[:convTableVariants] {
		if !o.fits(t) {
			continue
		}
		last, found = t, true
		if t.bm > 64 && rows < t.bm {
			continue
		}
		groups := vkrt.CeilDiv(rows, t.bm) * vkrt.CeilDiv(cols, t.bn)
		if pass == "backward_filter" {
			groups *= max(1, p.N*p.OutH()*p.OutW()/(64*t.bk))
		}
		if groups >= vkrt.FillGroups(o.Info)/2 {
			return t, true
		}
	}
	return last, found
}
