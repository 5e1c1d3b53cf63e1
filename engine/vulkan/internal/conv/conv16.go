package conv

import (
	"fmt"
	"strings"

	"simclr-vk/engine"
)

// Float16 activations (engine.Float16Operands: x, y, dy and dx stored as
// float16, w and dw float32): the _f16 kernels load and store uint16_t
// elements through half.glsl's integer conversions (rounding each output
// once, nearest even, as engine.Float16Round and the CPU emulation) and
// compute in float32: conv2d_<pass>_f16 (register-blocked) and the
// conv2d_<pass>_tiled_<tile>_f16 variants of the table's four tiles. On a
// device that runs cooperative matrices (Config.CoopMat) the
// cooperative-matrix tiles have float16 variants too
// (<tile>_<cm>_f16: the activations go into the float16 tiles unscaled,
// which hold them exactly, subnormals included, w is scaled and rounded
// as in the float32 cm tiles, the sums float32, y and dx rounded once like
// the others): the table and the tuner use them where they use the float32
// cm tiles for float32 activations (convCoopMat16), unless
// Config.NoCoopMat16 turns them off because the multiply was found to
// lose subnormal inputs (SelfCheck16, coopmat16.go). Winograd and the float32-tile
// 16-deep and double-buffered tiles have no float16 variant: they refuse
// float16 activations, so neither the table (convTableTile16) nor the
// tuner (convCandidates16) ever picks them for such a problem (convTileFor
// panics if one were), and a Config.Variant that forces one falls back to
// the table's float16 choice.

// convTiledVariants16 are the float16 tiled variants, in the order of the
// table's float32 ones (convTiledVariants[:convTableVariants]).
var convTiledVariants16 = convTiles("128x128_f16", "128x64_f16", "64x128_f16", "64x64_f16")

// f16AgreeTol widens the tuner's agreement bound for float16 outputs: two
// kernels' float32 sums that differ in the last bit may round to
// neighbouring float16 values, up to 2^-10 of the largest magnitude apart.
const f16AgreeTol = 0x1p-10

// convCoopMat16 are the float16 variants of this device's
// cooperative-matrix tiles (convCoopMat, in its order; none without
// Config.CoopMat or with Config.NoCoopMat16).
func (o *Ops) convCoopMat16() []convTile {
	if o.cfg.CoopMat == "" || o.cfg.NoCoopMat16 != "" {
		return nil
	}
	var out []convTile
	for _, t := range o.convCoopMat() {
		out = append(out, convTiles(t.variant+"_f16")...)
	}
	return out
}

// tile16 is the float16 variant of the tiled variant v (a float32 one, or
// a float16 one itself), if any on this device.
func (o *Ops) tile16(v string) (convTile, bool) {
	v = strings.TrimSuffix(v, "_f16")
	for _, t := range append(o.convCoopMat16(), convTiledVariants16...) {
		if t.variant == v+"_f16" {
			return t, true
		}
	}
	return convTile{}, false
}

// convTableTile16 is convTableTile for float16 activations: the same rule
// without Winograd (with Config.CoopMat the float16 cooperative-matrix
// tiles for every pass: the forced one, else 64x128 where the rows fit
// it, else 128x128; otherwise tiled from 32 rows on GPUs, the largest
// float16 tile that fills the device, else the register-blocked kernel),
// Config.Variant forcing "regblock", "tiled" or a tiled variant that has
// a float16 one; any other forced kernel gives the table's choice.
func (o *Ops) convTableTile16(pass string, p engine.Conv2DParams) convTile {
	rows, cols := convShape(pass, p)
	if cms := o.convCoopMat16(); len(cms) > 0 {
		if t, ok := o.tile16(strings.TrimPrefix(o.cfg.Variant, "tiled_")); ok && t.cm && strings.HasPrefix(o.cfg.Variant, "tiled_") {
			return t
		}
		if rows <= 64 {
			return cms[1]
		}
		return cms[0]
	}
	tiled := o.Info.Type != "cpu" && rows >= 32
	switch v := o.cfg.Variant; {
	case v == "tiled":
		tiled = true
	case v == "regblock":
		tiled = false
	case strings.HasPrefix(v, "tiled_"):
		if t, ok := o.tile16(strings.TrimPrefix(v, "tiled_")); ok && o.fits(t) {
			return t
		}
	}
	if tiled {
		if t, ok := o.convTiledPick(pass, rows, cols, p); ok {
			if t16, ok := o.tile16(t.variant); ok {
				return t16
			}
		}
	}
	t := o.convRegblock(rows, true)
	return t
}

// convCandidates16 are the kernels the tuner times for float16
// activations: the float16 cooperative-matrix tiles first (with
// Config.CoopMat), every float16 tiled variant that fits and the float16
// register-blocked kernel, with the filter gradient's split-K variants.
func (o *Ops) convCandidates16(pass string, p engine.Conv2DParams) []convTile {
	out := o.convCoopMat16()
	for _, t := range convTiledVariants16 {
		if o.fits(t) {
			out = append(out, t)
		}
	}
	rows, _ := convShape(pass, p)
	rb := o.convRegblock(rows, true)
	out = append(out, rb)
	if pass == "backward_filter" {
		out = o.convSplitCandidates(p, out)
	}
	return out
}

// f16Check wraps the tuner's run for a float16 output: the agreement
// kernels (absmax, absmax_diff) read float32, so each run is followed by
// a copy of out into a float32 scratch tensor, which the tuner then
// compares (the copy adds the same time to every candidate). done
// releases that tensor. Where it does not fit in memory, err says so (the
// tuner then keeps the table's choice, with a note).
func (o *Ops) f16Check(out *engine.Tensor, run func(convTile)) (check *engine.Tensor, checked func(convTile), done func(), err error) {
	check, err = o.RT.TryNewScratch(out.Numel())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("no memory for a float32 copy of the float16 output: %w", err)
	}
	return check, func(t convTile) {
		run(t)
		o.cfg.Elt.Copy(check, out)
	}, check.Release, nil
}

// TiledKernels16 are the names of the float16 tiled variants that fit this
// device, its float16 cooperative-matrix tiles first (with
// Config.CoopMat), for tests that force each (Config.Variant takes these
// names, or the float32 variant's, for float16 activations).
func (o *Ops) TiledKernels16() []string {
	return o.fitting(append(o.convCoopMat16(), convTiledVariants16...))
}
