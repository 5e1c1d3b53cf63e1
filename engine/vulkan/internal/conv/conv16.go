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
// conv2d_<pass>_tiled_<tile>_f16 variants of the table's four tiles.
// Winograd, the cooperative-matrix tiles and the 16-deep and
// double-buffered tiles have no float16 variant: they refuse float16
// activations, so neither the table (convTableTile16) nor the tuner
// (convCandidates16) ever picks them for such a problem (convTileFor
// panics if one were), and a Config.Variant that forces one falls back to
// the table's float16 choice.

// convTiledVariants16 are the float16 tiled variants, in the order of the
// table's float32 ones (convTiledVariants[:convTableVariants]).
var convTiledVariants16 = convTiles("128x128_f16", "128x64_f16", "64x128_f16", "64x64_f16")

// f16AgreeTol widens the tuner's agreement bound for float16 outputs: two
// kernels' float32 sums that differ in the last bit may round to
// neighbouring float16 values, up to 2^-10 of the largest magnitude apart.
const f16AgreeTol = 0x1p-10

// tile16 is the float16 variant of the tiled variant v (a float32 one, or
// a float16 one itself), if any.
func tile16(v string) (convTile, bool) {
	v = strings.TrimSuffix(v, "_f16")
	for _, t := range convTiledVariants16 {
		if t.variant == v+"_f16" {
			return t, true
		}
	}
	return convTile{}, false
}

// convTableTile16 is convTableTile for float16 activations: the same rule
// without Winograd and cooperative matrices (tiled from 32 rows on GPUs,
// the largest float16 tile that fills the device, else the
// register-blocked kernel), Config.Variant forcing "regblock", "tiled" or a
// tiled variant that has a float16 one; any other forced kernel gives the
// table's choice.
func (o *Ops) convTableTile16(pass string, p engine.Conv2DParams) convTile {
	rows, cols := convShape(pass, p)
	tiled := o.Info.Type != "cpu" && rows >= 32
	switch v := o.cfg.Variant; {
	case v == "tiled":
		tiled = true
	case v == "regblock":
		tiled = false
	case strings.HasPrefix(v, "tiled_"):
		if t, ok := tile16(strings.TrimPrefix(v, "tiled_")); ok && o.fits(t) {
			return t
		}
	}
	if tiled {
		if t, ok := o.convTiledPick(pass, rows, cols, p); ok {
			if t16, ok := tile16(t.variant); ok {
				return t16
			}
		}
	}
	t := o.convRegblock(rows, true)
	return t
}

// convCandidates16 are the kernels the tuner times for float16
// activations: every float16 tiled variant that fits and the float16
// register-blocked kernel, with the filter gradient's split-K variants.
func (o *Ops) convCandidates16(pass string, p engine.Conv2DParams) []convTile {
	var out []convTile
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
// device, for tests that force each (Config.Variant takes these names,
// or the float32 variant's, for float16 activations).
func (o *Ops) TiledKernels16() []string { return o.fitting(convTiledVariants16) }
