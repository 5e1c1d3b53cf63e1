package vulkan

import (
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestCoopMatSelfCheckFailure: when the cooperative-matrix kernel cannot be
// built (an injected pipeline failure), Open with CoopMat "on" fails with
// ErrCoopMatSelfCheck naming the kernel, and leaves nothing behind (a
// second Open works).
func TestCoopMatSelfCheckFailure(t *testing.T) {
	probe := openInternal(t, Options{})
	if probe.info.CoopMatKernel == "" {
		t.Skipf("no cooperative matrices here: %s", probe.info.CoopMatMissing)
	}
	broken := "gemm_tiled_128x128_db_" + probe.info.CoopMatKernel
	fault := func(shader string) error {
		if shader == broken {
			return errors.New("vkCreateComputePipelines: VK_ERROR_UNKNOWN (injected)")
		}
		return nil
	}
	d, err := Open(Options{CoopMat: "on", hooks: &testHooks{pipelineFault: fault}})
	if err == nil {
		d.Close()
		t.Fatal("Open succeeded with the cooperative-matrix kernel broken")
	}
	if !errors.Is(err, ErrCoopMatSelfCheck) || errors.Is(err, ErrCoopMatUnsupported) || !strings.Contains(err.Error(), broken) {
		t.Fatalf("error %q: want ErrCoopMatSelfCheck (not ErrCoopMatUnsupported, which tests skip on) naming %s", err, broken)
	}
	d = openInternal(t, Options{CoopMat: "on"})
	if d.Plans().CoopMat() == "" {
		t.Fatal("the second Open has no cooperative matrices")
	}
}

// TestCoopMatScalesInputs: products of tiny (1e-7) by huge (1e5) inputs,
// which plain float16 would flush to subnormals and overflow to Inf, come
// out with float16's relative precision thanks to the per-tensor scaling:
// within 2^-10 of the sum of |a||b| of the exact product.
func TestCoopMatScalesInputs(t *testing.T) {
	probe := openInternal(t, Options{})
	if probe.info.CoopMatKernel == "" {
		t.Skipf("no cooperative matrices here: %s", probe.info.CoopMatMissing)
	}
	d := openInternal(t, Options{CoopMat: "on"})
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
