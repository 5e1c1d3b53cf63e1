package conv

import (
	"slices"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/shaders"
)

// TestConvFloat16Plan: for float16 activations the table and the tuner's
// candidates hold only _f16 kernels that exist as SPIR-V, never Winograd,
// whatever the device type, the cooperative-matrix setting and the forced
// kernel (a forced tile with a float16 variant runs that variant, but for
// a float32-tile one with cooperative matrices on: as for float32
// activations, the table then runs a cooperative-matrix tile); the float16
// cooperative-matrix tiles of the device's variant exactly where it has
// one (the table's choice, and among the candidates); convTileFor accepts
// each choice.
func TestConvFloat16Plan(t *testing.T) {
	problems := []engine.Conv2DParams{
		{N: 2, C: 64, H: 16, W: 16, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, // Winograd computes it
		{N: 8, C: 128, H: 8, W: 8, K: 256, R: 1, S: 1, StrideH: 2, StrideW: 2},
		{N: 1, C: 3, H: 13, W: 13, K: 16, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	}
	have := shaders.Names()
	d := openTest(t, vkrt.Config{}, Config{})
	for _, typ := range []string{"cpu", "discrete-gpu"} {
		for _, cm := range []string{"", "cm_s32"} {
			for _, v := range []string{"", "regblock", "tiled", "tiled_64x64", "tiled_128x128_f16", "tiled_128x128_k16", "tiled_64x64_db",
				"tiled_128x128_cm_s32", "winograd", "winograd_f4x3"} {
				cfg := d.cfg
				cfg.Variant, cfg.CoopMat = v, cm
				o := New(d.RT, cfg)
				o.Info.Type = typ // a copy of the device facts: the plan's view of another device
				for _, p := range problems {
					for _, pass := range []string{"forward", "backward_data", "backward_filter"} {
						what := typ + " " + cm + " " + v + " " + o.convProblem(pass, p, true)
						tt := o.convTableTile16(pass, p)
						o.convTileFor(pass, p, true, nil, nil) // panics on a float32-only kernel
						if want, ok := o.tile16(strings.TrimPrefix(v, "tiled_")); ok && strings.HasPrefix(v, "tiled_") && want.cm == (cm != "") && tt.name() != want.name() {
							t.Errorf("%s: table %s, want the forced %s", what, tt.name(), want.name())
						}
						if tt.cm != (cm != "") {
							t.Errorf("%s: table %s, cooperative matrix %v", what, tt.name(), tt.cm)
						}
						cands := o.convCandidates16(pass, p)
						if cm != "" && !slices.ContainsFunc(cands, func(c convTile) bool { return c.cm }) {
							t.Errorf("%s: no cooperative-matrix candidate", what)
						}
						for _, c := range append(cands, tt) {
							if !c.f16 || c.winograd != 0 || (c.cm && !strings.Contains(c.name(), "_"+cm+"_f16")) || !strings.Contains(c.name(), "_f16") || !slices.Contains(have, c.shader(pass)) {
								t.Errorf("%s: float16 kernel %s (%+v), shader %s", what, c.name(), c, c.shader(pass))
							}
						}
					}
				}
			}
		}
	}
}
