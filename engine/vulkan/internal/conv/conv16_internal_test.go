package conv

import (
	"math"
	"slices"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/rttest"
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
// one and Config.NoCoopMat16 does not turn them off (the table's choice,
// and among the candidates); with NoCoopMat16 the float16 problems' keys
// lose the variant (the float32 ones keep it); convTileFor accepts each
// choice.
func TestConvFloat16Plan(t *testing.T) {
	problems := []engine.Conv2DParams{
		{N: 2, C: 64, H: 16, W: 16, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, // Winograd computes it
		{N: 8, C: 128, H: 8, W: 8, K: 256, R: 1, S: 1, StrideH: 2, StrideW: 2},
		{N: 1, C: 3, H: 13, W: 13, K: 16, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	}
	have := shaders.Names()
	d := openTest(t, vkrt.Config{}, Config{})
	for _, typ := range []string{"cpu", "discrete-gpu"} {
		for _, cm := range []string{"", "cm_s32", "cm_s32 NoCoopMat16"} {
			cm, off, _ := strings.Cut(cm, " ")
			on := cm != "" && off == ""
			for _, v := range []string{"", "regblock", "tiled", "tiled_64x64", "tiled_128x128_f16", "tiled_128x128_k16", "tiled_64x64_db",
				"tiled_128x128_cm_s32", "winograd", "winograd_f4x3"} {
				cfg := d.cfg
				cfg.Variant, cfg.CoopMat, cfg.NoCoopMat16 = v, cm, off
				o := New(d.RT, cfg)
				o.Info.Type = typ // a copy of the device facts: the plan's view of another device
				for _, p := range problems {
					for _, pass := range []string{"forward", "backward_data", "backward_filter"} {
						what := typ + " " + cm + " " + off + " " + v + " " + o.convProblem(pass, p, true)
						if strings.HasSuffix(o.convProblem(pass, p, true), " "+cm+" f16") != on || strings.HasSuffix(o.convProblem(pass, p, false), " "+cm) != (cm != "") {
							t.Errorf("%s: problem keys %q, %q", what, o.convProblem(pass, p, true), o.convProblem(pass, p, false))
						}
						tt := o.convTableTile16(pass, p)
						o.convTileFor(pass, p, true, nil, nil) // panics on a float32-only kernel
						if want, ok := o.tile16(strings.TrimPrefix(v, "tiled_")); ok && strings.HasPrefix(v, "tiled_") && want.cm == on && tt.name() != want.name() {
							t.Errorf("%s: table %s, want the forced %s", what, tt.name(), want.name())
						}
						if tt.cm != on {
							t.Errorf("%s: table %s, cooperative matrix %v", what, tt.name(), tt.cm)
						}
						cands := o.convCandidates16(pass, p)
						if on != slices.ContainsFunc(cands, func(c convTile) bool { return c.cm }) {
							t.Errorf("%s: cooperative-matrix candidates %v, want %v", what, !on, on)
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

// TestSelfCheck16: SelfCheck16 passes on the device's float16
// cooperative-matrix tile on lavapipe, which keeps float16 subnormals (a
// GPU's failure is logged: it may flush them); with
// Config.SelfCheck16Input reading the subnormal activations as 0 it
// reports the flush; with the largest activation read negated, an error
// that does not blame subnormals; with nothing to check (no CoopMat, or
// NoCoopMat16) nil.
func TestSelfCheck16(t *testing.T) {
	if probe := rttest.Open(t, vkrt.Config{}); probe.Info().CoopMatKernel == "" {
		t.Skipf("no cooperative matrices here: %s", probe.Info().CoopMatMissing)
	} else if err := probe.Float16Storage(); err != nil {
		t.Skipf("no float16 storage: %v", err)
	}
	d := openTest(t, vkrt.Config{CoopMat: "on"}, Config{})
	if err := d.SelfCheck16(); err != nil {
		if d.Info.Type == "cpu" {
			t.Fatalf("SelfCheck16: %v", err)
		}
		t.Logf("SelfCheck16 on %s (a GPU may flush float16 subnormals): %v", d.Info.Name, err)
	}
	flush := func(x []float32) {
		for i, v := range x {
			if math.Abs(float64(v)) < 0x1p-14 {
				x[i] = 0
			}
		}
	}
	negateLargest := func(x []float32) {
		m := 0
		for i, v := range x {
			if math.Abs(float64(v)) > math.Abs(float64(x[m])) {
				m = i
			}
		}
		x[m] = -x[m]
	}
	for _, c := range []struct {
		name  string
		input func([]float32)
		want  string // in the error, "" for nil
		not   string // not in it
	}{
		{"flushed", flush, "flushes float16 subnormal activations", "wrongly"},
		{"wrong", negateLargest, "wrongly", "subnormal"},
	} {
		cfg := d.cfg
		cfg.SelfCheck16Input = c.input
		err := New(d.RT, cfg).SelfCheck16()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), c.not) {
			t.Errorf("%s: SelfCheck16 %v, want an error with %q, without %q", c.name, err, c.want, c.not)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
	for _, cfg := range []Config{{CoopMat: "", SelfCheck16Input: flush}, {CoopMat: d.cfg.CoopMat, NoCoopMat16: "off", SelfCheck16Input: flush}} {
		c := d.cfg
		c.CoopMat, c.NoCoopMat16, c.SelfCheck16Input = cfg.CoopMat, cfg.NoCoopMat16, cfg.SelfCheck16Input
		if err := New(d.RT, c).SelfCheck16(); err != nil {
			t.Errorf("CoopMat %q, NoCoopMat16 %q: SelfCheck16 %v, want nil (nothing to check)", c.CoopMat, c.NoCoopMat16, err)
		}
	}
}
