package conv

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan/internal/vkrt"
	"simclr-vk/shaders"
)

// TestConvFloat16Plan: for float16 activations the table and the tuner's
// candidates hold only _f16 kernels that exist as SPIR-V, never Winograd
// or cooperative matrices, whatever the device type, the
// cooperative-matrix setting and the forced kernel (a forced tile with a
// float16 variant runs that variant); convTileFor accepts each choice.
func TestConvFloat16Plan(t *testing.T) {
	d := openTest(t, vkrt.Config{}, Config{})
	have := shaders.Names()
	problems := []engine.Conv2DParams{
		{N: 2, C: 64, H: 16, W: 16, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, // Winograd computes it
		{N: 8, C: 128, H: 8, W: 8, K: 256, R: 1, S: 1, StrideH: 2, StrideW: 2},
		{N: 1, C: 3, H: 13, W: 13, K: 16, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	}
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
						if want, ok := tile16(strings.TrimPrefix(v, "tiled_")); ok && strings.HasPrefix(v, "tiled_") && tt.name() != want.name() {
							t.Errorf("%s: table %s, want the forced %s", what, tt.name(), want.name())
						}
						for _, c := range append(o.convCandidates16(pass, p), tt) {
							if !c.f16 || c.winograd != 0 || c.cm || !strings.Contains(c.name(), "_f16") || !slices.Contains(have, c.shader(pass)) {
								t.Errorf("%s: float16 kernel %s (%+v), shader %s", what, c.name(), c, c.shader(pass))
							}
						}
					}
				}
			}
		}
	}
}

// TestConvAutotuneFloat16 times the float16 candidates on lavapipe
// (TuneConvOnCPU): each pass's problem is keyed " f16", every float16
// candidate is timed and agrees with the float16 register-blocked
// reference (through the float32 copy), the choice is one of them, and
// the outputs equal the CPU emulation within the float32 tolerance plus
// one float16 step, y and dx holding float16 values.
func TestConvAutotuneFloat16(t *testing.T) {
	d := openTuned(t, "auto", tempCache(t), vkrt.Config{})
	if err := d.RT.Float16Storage(); err != nil {
		t.Skipf("no float16 storage: %v", err)
	}
	p := engine.Conv2DParams{N: 2, C: 16, H: 9, W: 7, K: 33, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	P, Q := p.OutH(), p.OutW()
	rng := rand.New(rand.NewSource(18))
	x := round16(conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1))
	w := conformance.Rand(rng, p.K*p.C*p.R*p.S, -1, 1)
	dy := round16(conformance.Rand(rng, p.N*p.K*P*Q, -1, 1))
	wantY, wantDX, wantDW := make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))
	cpu.Conv2DForward(wantY, x, w, p)
	cpu.Conv2DBackwardData(wantDX, dy, w, p)
	cpu.Conv2DBackwardFilter(wantDW, dy, x, p)

	xt, dyt, y, dx := d.RT.NewFloat16(len(x)), d.RT.NewFloat16(len(dy)), d.RT.NewFloat16(len(dy)), d.RT.NewFloat16(len(x))
	wt, dw := d.RT.New(len(w)), d.RT.New(len(w))
	d.RT.Upload(xt, x)
	d.RT.Upload(dyt, dy)
	d.RT.Upload(wt, w)
	d.Conv2DForward(y, xt, wt, p)
	d.Conv2DBackwardData(dx, dyt, wt, p)
	d.Conv2DBackwardFilter(dw, dyt, xt, p)
	tol := conformance.Tol{Atol: 1e-4, Rtol: 1e-4 + 0x1p-10}
	for _, c := range []struct {
		name string
		t    *engine.Tensor
		want []float32
	}{{"y", y, round16(wantY)}, {"dx", dx, round16(wantDX)}, {"dw", dw, wantDW}} {
		got := conformance.Download(t, d.backend(), c.t)
		conformance.Close(t, c.name, got, c.want, tol)
		if c.t.DType() == engine.Float16 && !slices.Equal(got, round16(got)) {
			t.Errorf("%s holds values that are not float16 ones", c.name)
		}
	}
	for _, tt := range []*engine.Tensor{xt, dyt, y, dx, wt, dw} {
		tt.Release()
	}
	plan := d.Plan()
	if len(plan) != 3 {
		t.Fatalf("plan has %d problems, want 3: %+v", len(plan), plan)
	}
	for _, c := range plan {
		pass := strings.TrimPrefix(strings.Fields(c.Problem)[0], "conv2d_")
		var names []string
		for _, ct := range d.convCandidates16(pass, p) {
			names = append(names, ct.name())
		}
		timed := slices.Sorted(func(yield func(string) bool) {
			for k := range c.GFLOPs {
				if !yield(k) {
					return
				}
			}
		})
		t.Logf("%s: %s from %s, GFLOP/s %v", c.Problem, c.Kernel, c.Source, c.GFLOPs)
		if !strings.HasSuffix(c.Problem, " f16") || c.Source != "measured" || len(c.Rejected) != 0 ||
			!slices.Contains(names, c.Kernel) || !slices.Equal(timed, slices.Sorted(slices.Values(names))) {
			t.Errorf("%s: %s from %s timing %v, rejected %v; want measured, one of and all of %v", c.Problem, c.Kernel, c.Source, timed, c.Rejected, names)
		}
	}
}

// round16 is x as a float16 tensor holds it.
func round16(x []float32) []float32 {
	r := make([]float32, len(x))
	for i, v := range x {
		r[i] = engine.Float16Round(v)
	}
	return r
}
