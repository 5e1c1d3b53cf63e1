package vulkan_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
)

// TestConformanceCoopMat runs the matrix-product families (Gemm, Conv, and
// Float16Conv: float16 activations on the _<cm>_f16 tiles) on the
// cooperative-matrix kernels against references whose inputs are rounded
// to float16 the same way (engine.MatmulRounder), with the float32
// tolerances, so everything but the rounding of the inputs is checked as
// tightly as the float32 kernels.
func TestConformanceCoopMat(t *testing.T) {
	d := vulkantest.OpenCoopMat(t, vulkan.Options{})
	cm := d.Plans().CoopMat()
	t.Logf("cooperative-matrix kernels %s", cm)
	p := engine.Conv2DParams{N: 2, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	families := []string{"Gemm", "Conv"}
	if vulkantest.CoopMatFloat16(t, d) {
		families = append(families, "Float16Conv")
		for _, pass := range []string{"forward", "backward_data", "backward_filter"} {
			if k, _ := d.Plans().ConvKernelFloat16(pass, p); k != "tiled_64x128_"+cm+"_f16" {
				t.Errorf("float16 %s convolution runs %s, want tiled_64x128_%s_f16", pass, k, cm)
			}
		}
	}
	conformance.RunFamilies(t, d, families...)
	checkValidation(t, d)
}

// TestConformanceCoopMatVariants: the same with each other variant forced
// (GemmVariant coopmat_db; the 128x128_db_<cm>, 64x128_<cm> and
// 128x128_k32_<cm> convolution tiles, and their _f16 variants for float16
// activations), which the table or the autotuner may pick on a GPU.
func TestConformanceCoopMatVariants(t *testing.T) {
	probe := vulkantest.OpenCoopMat(t, vulkan.Options{})
	cm := probe.Plans().CoopMat()
	for _, v := range []string{"tiled_128x128_db_" + cm, "tiled_64x128_" + cm, "tiled_128x128_k32_" + cm} {
		t.Run(v, func(t *testing.T) {
			d := vulkantest.Open(t, vulkan.Options{CoopMat: "on", GemmVariant: "coopmat_db", ConvVariant: v})
			f16 := vulkantest.CoopMatFloat16(t, d)
			if f16 {
				conformance.RunFamilies(t, d, "Gemm", "Conv", "Float16Conv")
			} else {
				conformance.RunFamilies(t, d, "Gemm", "Conv")
			}
			p := engine.Conv2DParams{N: 2, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
			kernel, _ := d.Plans().ConvKernel("forward", p)
			if kernel != v {
				t.Errorf("forward convolution ran %s, want %s", kernel, v)
			}
			if k16, _ := d.Plans().ConvKernelFloat16("forward", p); f16 && k16 != v+"_f16" {
				t.Errorf("float16 forward convolution ran %s, want %s_f16", k16, v)
			}
			checkValidation(t, d)
		})
	}
	// The table: 64x128 for 64 rows or fewer, 128x128 above.
	for _, c := range []struct {
		k    int
		want string
	}{{64, "tiled_64x128_" + cm}, {65, "tiled_128x128_" + cm}} {
		got, _ := probe.Plans().ConvKernel("forward", engine.Conv2DParams{N: 1, C: 8, H: 4, W: 4, K: c.k, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1})
		if got != c.want {
			t.Errorf("K=%d: table picks %s, want %s", c.k, got, c.want)
		}
	}
}

// TestCoopMatConvAutotune: with autotuning on, the convolution tuner times
// the cooperative-matrix variants and the float32 kernels, caches the
// choice under a problem key that names the variant, and the result matches
// the reference of the chosen kernel's precision.
func TestCoopMatConvAutotune(t *testing.T) {
	probe := vulkantest.OpenCoopMat(t, vulkan.Options{})
	cm := probe.Plans().CoopMat()
	d := vulkantest.Open(t, vulkantest.Tuned(t, vulkan.Options{CoopMat: "on"}))
	p := engine.Conv2DParams{N: 2, C: 16, H: 8, W: 8, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	rng := rand.New(rand.NewSource(9))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	w := conformance.Rand(rng, p.K*p.C*9, -1, 1)
	xt, wt := upload(d, x, p.N, p.C, p.H, p.W), upload(d, w, p.K, p.C, 3, 3)
	yt := d.New(p.N, p.K, p.H, p.W)
	d.Conv2DForward(yt, xt, wt, p)
	got := download(t, d, yt)
	c := measuredConvChoice(t, d, cm, "")
	// The result is the chosen kernel's: float16-rounded inputs on
	// cooperative matrices, float32 otherwise.
	onCM := strings.HasSuffix(c.Kernel, "_"+cm)
	rx, rw := roundedIf(x, onCM), roundedIf(w, onCM)
	want := make([]float32, len(got))
	cpu.Conv2DForward(want, rx, rw, p)
	conformance.Close(t, "Conv2DForward (tuned with cooperative matrices allowed, "+c.Kernel+")", got, want, conformance.Tol{Atol: 2e-4, Rtol: 1e-5})
	if len(c.Rejected) != 0 {
		t.Errorf("kernels that disagree with the float32 kernel beyond float16 rounding: %v", c.Rejected)
	}
	xt.Release()
	wt.Release()
	yt.Release()
}

// measuredConvChoice is the one convolution choice d's tuner made: a
// measured kernel under a problem key ending in cm (cm+" f16" for float16
// activations, dt "f16"), having timed both cooperative-matrix kernels
// (suffix _<cm>, or _<cm>_f16) and float32-tile ones (any other; with
// dt "f16", their _f16 variants and nothing else).
func measuredConvChoice(t *testing.T, d *vulkan.Device, cm, dt string) vulkan.ConvChoice {
	t.Helper()
	plan := d.Plans().Conv()
	if len(plan) != 1 {
		t.Fatalf("plan %+v, want one problem", plan)
	}
	c := plan[0]
	t.Logf("%s: %s (timed %v)", c.Problem, c.Kernel, c.GFLOPs)
	key, cmSuffix := cm, "_"+cm
	if dt != "" {
		key, cmSuffix = cm+" "+dt, cmSuffix+"_"+dt
	}
	if c.Source != "measured" || !strings.HasSuffix(c.Problem, " "+key) {
		t.Errorf("choice %+v: want a measured kernel under a key ending in %s", c, key)
	}
	var cms, tiles int
	for k := range c.GFLOPs {
		switch {
		case strings.HasSuffix(k, cmSuffix):
			cms++
		case dt == "" || strings.HasSuffix(k, "_"+dt):
			tiles++
		default:
			t.Errorf("timed %s, not a %s kernel", k, dt)
		}
	}
	if cms == 0 || tiles == 0 {
		t.Errorf("timed %d cooperative-matrix and %d float32-tile candidates (%v), want both", cms, tiles, c.GFLOPs)
	}
	return c
}

// roundedIf is a copy of xs, rounded to float16 values where round is set.
func roundedIf(xs []float32, round bool) []float32 {
	out := append([]float32(nil), xs...)
	if round {
		for i := range out {
			out[i] = engine.RoundFloat16(out[i])
		}
	}
	return out
}

// TestCoopMatConvAutotuneFloat16: the same for float16 activations: the
// tuner times the _<cm>_f16 tiles and the float16 float32-tile kernels
// under a problem key ending in "<cm> f16", none disagrees with the
// float16 register-blocked reference, and y is the chosen kernel's
// (float16 x exact, w rounded on cooperative matrices, y rounded once).
func TestCoopMatConvAutotuneFloat16(t *testing.T) {
	probe := vulkantest.OpenCoopMat(t, vulkan.Options{})
	cm := probe.Plans().CoopMat()
	d := vulkantest.Open(t, vulkantest.Tuned(t, vulkan.Options{CoopMat: "on"}))
	if err := d.Float16Storage(); err != nil {
		t.Skipf("no float16 storage: %v", err)
	}
	if !vulkantest.CoopMatFloat16(t, d) {
		t.SkipNow()
	}
	p := engine.Conv2DParams{N: 2, C: 16, H: 9, W: 9, K: 24, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	rng := rand.New(rand.NewSource(10))
	x := conformance.Rand(rng, p.N*p.C*p.H*p.W, -1, 1)
	for i := range x {
		x[i] = engine.Float16Round(x[i])
	}
	w := conformance.Rand(rng, p.K*p.C*9, -1, 1)
	xt, wt := d.NewFloat16(p.N, p.C, p.H, p.W), upload(d, w, p.K, p.C, 3, 3)
	d.Upload(xt, x)
	yt := d.NewFloat16(p.N, p.K, p.H, p.W)
	d.Conv2DForward(yt, xt, wt, p)
	got := download(t, d, yt)
	c := measuredConvChoice(t, d, cm, "f16")
	rw := roundedIf(w, strings.HasSuffix(c.Kernel, "_"+cm+"_f16"))
	want := make([]float32, len(got))
	cpu.Conv2DForward(want, x, rw, p)
	for i := range want {
		want[i] = engine.Float16Round(want[i])
	}
	conformance.Close(t, "float16 Conv2DForward (tuned with cooperative matrices allowed, "+c.Kernel+")", got, want, conformance.Tol{Atol: 2e-4, Rtol: 0x1p-10})
	if len(c.Rejected) != 0 {
		t.Errorf("kernels that disagree with the float16 reference beyond float16 rounding: %v", c.Rejected)
	}
	xt.Release()
	wt.Release()
	yt.Release()
}

// TestCoopMatScalesInputs: products of tiny (1e-7) by huge (1e5) inputs,
// which plain float16 would flush to subnormals and overflow to Inf, come
// out with float16's relative precision thanks to the per-tensor scaling:
// within 2^-10 of the sum of |a||b| of the exact product.
func TestCoopMatScalesInputs(t *testing.T) {
	d := vulkantest.OpenCoopMat(t, vulkan.Options{})
	const m, n, k = 37, 45, 70
	rng := rand.New(rand.NewSource(4))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(1e-7 * (2*rng.Float64() - 1))
	}
	for i := range b {
		b[i] = float32(1e5 * (2*rng.Float64() - 1))
	}
	at, bt, ct := d.New(m, k), d.New(k, n), d.New(m, n)
	d.Upload(at, a)
	d.Upload(bt, b)
	d.Gemm(false, false, m, n, k, 1, at, bt, 0, ct)
	got := make([]float32, m*n)
	if err := d.Download(ct, got); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			exact, mag := 0.0, 0.0
			for p := 0; p < k; p++ {
				x := float64(a[i*k+p]) * float64(b[p*n+j])
				exact += x
				mag += math.Abs(x)
			}
			if diff := math.Abs(float64(got[i*n+j]) - exact); !(diff <= math.Ldexp(mag, -10)) {
				if bad < 5 {
					t.Errorf("C[%d,%d] = %g, exact %g (sum |a||b| %g)", i, j, got[i*n+j], exact, mag)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d elements off", bad, m*n)
	}
}
