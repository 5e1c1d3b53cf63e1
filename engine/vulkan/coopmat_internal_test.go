package vulkan

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/vulkan/internal/vkrt"
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

// TestOpenDeniedFloat16: a deny rule matching the test device refuses
// its float16 storage through the facade (engine.Float16Support wraps
// engine.ErrFeatureDenied, which --precision mixed turns into an error),
// and AllowDenied lifts it.
func TestOpenDeniedFloat16(t *testing.T) {
	probe := openInternal(t, Options{})
	if !probe.info.Float16Storage {
		t.Skipf("no float16 storage here: %s", probe.info.Float16StorageMissing)
	}
	rules := []vkrt.DenyRule{{Feature: vkrt.FeatureFloat16, VendorID: probe.info.VendorID, Reason: "injected reason"}}
	d := openInternal(t, Options{hooks: &testHooks{denyRules: rules}})
	err := engine.Float16Support(d)
	if !errors.Is(err, engine.ErrFeatureDenied) || !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), probe.info.Name) || !strings.Contains(err.Error(), "injected reason") {
		t.Errorf("denied float16 storage: %v", err)
	}
	if d.Info().Float16Denied != "injected reason" {
		t.Errorf("Info().Float16Denied %q", d.Info().Float16Denied)
	}
	d = openInternal(t, Options{AllowDenied: true, hooks: &testHooks{denyRules: rules}})
	if err := engine.Float16Support(d); err != nil {
		t.Errorf("denied float16 storage, AllowDenied: %v", err)
	}
}

// TestCoopMatFloat16SelfCheck: where the cooperative-matrix multiply keeps
// float16 subnormals (lavapipe), the float16 self-check at open passes and
// the float16 convolutions run the _<cm>_f16 tiles. With the check's
// activations read as a device that flushes subnormals reads them
// (testHooks.coopMat16Input), Open logs one line naming the device and
// the flush, Plans and Describe report it, the float16 convolutions run
// the float32-tile _f16 kernels while the float32 ones stay on cooperative matrices, and they pass the
// Float16Conv conformance against exact (unrounded) w.
func TestCoopMatFloat16SelfCheck(t *testing.T) {
	probe := openInternal(t, Options{})
	if probe.info.CoopMatKernel == "" {
		t.Skipf("no cooperative matrices here: %s", probe.info.CoopMatMissing)
	}
	if err := probe.Float16Storage(); err != nil {
		t.Skipf("no float16 storage: %v", err)
	}
	p := engine.Conv2DParams{N: 2, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	var logged []string
	logf := func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }

	d := openInternal(t, Options{CoopMat: "on", hooks: &testHooks{logf: logf}})
	cm := d.Plans().CoopMat()
	switch cm16, off := d.Plans().CoopMatFloat16(); {
	case off != "" && d.info.Type != "cpu" && len(logged) == 1:
		// A GPU may flush float16 subnormals: the fallback below is then
		// the device's own.
		t.Logf("%s flushes float16 subnormals or fails the check otherwise: %s", d.info.Name, off)
		logged = nil
	case cm16 != cm || off != "" || len(logged) != 0:
		t.Fatalf("self-check on %s: float16 convolutions on %q (off: %q), log %q; want %s", d.info.Name, cm16, off, logged, cm)
	default:
		if k, _ := d.Plans().ConvKernelFloat16("forward", p); k != "tiled_64x128_"+cm+"_f16" {
			t.Errorf("float16 forward convolution runs %s, want tiled_64x128_%s_f16", k, cm)
		}
	}

	flush := func(x []float32) {
		for i, v := range x {
			if math.Abs(float64(v)) < 0x1p-14 {
				x[i] = 0
			}
		}
	}
	f := openInternal(t, Options{CoopMat: "on", hooks: &testHooks{logf: logf, coopMat16Input: flush}})
	if len(logged) != 1 || !strings.Contains(logged[0], f.info.Name) || !strings.Contains(logged[0], "flushes float16 subnormal activations") {
		t.Errorf("log %q: want one line naming %s and the flush", logged, f.info.Name)
	}
	cm16, off := f.Plans().CoopMatFloat16()
	if cm16 != "" || !strings.Contains(off, "flushes float16 subnormal") || !strings.Contains(f.Describe(), "float16 convolutions on float32 tiles") {
		t.Errorf("flushing device: float16 convolutions on %q, off %q, Describe %q", cm16, off, f.Describe())
	}
	if f.Plans().CoopMat() != cm {
		t.Errorf("cooperative matrices %q after the float16 check failed, want %s for float32", f.Plans().CoopMat(), cm)
	}
	for _, pass := range []string{"forward", "backward_data", "backward_filter"} {
		if k, _ := f.Plans().ConvKernelFloat16(pass, p); strings.Contains(k, "_"+cm) || !strings.Contains(k, "_f16") {
			t.Errorf("flushing device: float16 %s convolution runs %s, want a float32-tile _f16 kernel", pass, k)
		}
		if k32, _ := f.Plans().ConvKernel(pass, p); !strings.HasSuffix(k32, "_"+cm) {
			t.Errorf("flushing device: float32 %s convolution runs %s, want a _%s tile", pass, k32, cm)
		}
	}
	conformance.RunFamilies(t, exactW{f}, "Float16Conv")
}

// exactW is a Device that says its products do not round their inputs:
// what its float16 convolutions do on the float32-tile _f16 kernels.
type exactW struct{ *Device }

func (exactW) MatmulInputRounding() func(float32) float32 { return nil }
