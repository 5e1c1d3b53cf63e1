package layers_test

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/conformance"
	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/layers"
	"simclr-vk/simclr/optim"
)

const lavapipeICD = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"

// vulkanRequired: CI=true or SIMCLR_VK_REQUIRE=1 turn a missing Vulkan
// device into a failure instead of a skip.
func vulkanRequired() bool {
	return os.Getenv("CI") == "true" || os.Getenv("SIMCLR_VK_REQUIRE") == "1"
}

// openVulkan opens the default Vulkan device (lavapipe when the default
// drivers give none) with the validation layer on, and fails the test at
// cleanup on any validation message.
func openVulkan(t *testing.T) *vulkan.Device {
	t.Helper()
	if os.Getenv("VK_DRIVER_FILES") == "" && os.Getenv("VK_ICD_FILENAMES") == "" {
		if devs, err := vulkan.Devices(); err != nil || len(devs) == 0 {
			if _, err := os.Stat(lavapipeICD); err == nil {
				os.Setenv("VK_DRIVER_FILES", lavapipeICD)
			}
		}
	}
	d, err := vulkan.Open(vulkan.Options{Validate: true})
	if err != nil {
		if vulkanRequired() {
			t.Fatalf("Vulkan required (CI=true or SIMCLR_VK_REQUIRE=1): %v", err)
		}
		t.Skipf("no usable Vulkan device (set CI=true to make this fail): %v", err)
	}
	t.Logf("device: %s", d.Describe())
	t.Cleanup(func() {
		msgs := d.ValidationMessages()
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if len(msgs) > 0 {
			if len(msgs) > 10 {
				msgs = append(msgs[:10], fmt.Sprintf("... and %d more", len(msgs)-10))
			}
			t.Errorf("validation layer reported %d messages:\n%s", len(msgs), strings.Join(msgs, "\n"))
		}
	})
	return d
}

// noPanic turns an engine panic (e.g. an op the backend does not have yet)
// into a test failure, so the other tests of the binary still run.
func noPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	f()
}

// closeTol compares with a tolerance scaled by the reference's largest
// magnitude: the tiny BN network amplifies float32 reassociation
// differences by up to 1/sqrt(eps) in channels with (near) zero variance.
func closeTol(t *testing.T, what string, got, want []float32, rel float64) {
	t.Helper()
	maxAbs := 0.0
	for _, v := range want {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	conformance.Close(t, what, got, want, conformance.Tol{Atol: rel * maxAbs, Rtol: rel})
}

// TestVulkanMatchesCPU: the same tiny network (same seed, so the same
// initial weights) on Vulkan and on the CPU backend gives the same loss, the
// same gradient for every parameter, the same BN running statistics and the
// same parameters after 3 LARS steps.
func TestVulkanMatchesCPU(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() {
		c := cpu.New(cpu.Options{})
		cfg := tinyConfig("resnet18", layers.StemCIFAR)
		mc, mv := newModel(t, c, cfg), newModel(t, d, cfg)
		defer mc.Release()
		defer mv.Release()
		oc, err := optim.New(c, mc.Params(), optim.DefaultConfig(optim.LARS))
		if err != nil {
			t.Fatal(err)
		}
		defer oc.Release()
		ov, err := optim.New(d, mv.Params(), optim.DefaultConfig(optim.LARS))
		if err != nil {
			t.Fatal(err)
		}
		defer ov.Release()
		xs := randomViews(11, 3, 3, 8, 8, 0.3)
		xc, xv := upload(c, xs, 6, 3, 8, 8), upload(d, xs, 6, 3, 8, 8)
		defer xc.Release()
		defer xv.Release()
		pc, pv := mc.Params(), mv.Params()
		for i := range pc {
			conformance.Close(t, "initial "+pc[i].Name, download(t, d, pv[i].Value), download(t, c, pc[i].Value), conformance.Tol{})
		}
		for s := 0; s < 3; s++ {
			lc, tc, err := mc.Step(xc, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			lv, tv, err := mv.Step(xv, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("step %d: loss cpu %.6f vulkan %.6f, top1 cpu %.3f vulkan %.3f", s, lc, lv, tc, tv)
			if math.Abs(float64(lc-lv)) > 1e-4*(1+math.Abs(float64(lc))) {
				t.Errorf("step %d: loss %v on Vulkan, %v on the CPU", s, lv, lc)
			}
			if s == 0 {
				for i := range pc {
					closeTol(t, "gradient of "+pc[i].Name, download(t, d, pv[i].Grad), download(t, c, pc[i].Grad), 2e-3)
				}
				bc, bv := mc.Buffers(), mv.Buffers()
				for i := range bc {
					if bc[i].IsScalar() {
						if bc[i].Count != bv[i].Count {
							t.Errorf("%s: %d on Vulkan, %d on the CPU", bc[i].Name, bv[i].Count, bc[i].Count)
						}
						continue
					}
					closeTol(t, bc[i].Name, download(t, d, bv[i].Value), download(t, c, bc[i].Value), 1e-4)
				}
			}
			oc.Step(0.5)
			ov.Step(0.5)
		}
		for i := range pc {
			closeTol(t, "after 3 LARS steps: "+pc[i].Name, download(t, d, pv[i].Value), download(t, c, pc[i].Value), 1e-3)
		}
		h := []*engine.Tensor{c.New(6, mc.Encoder.FeatureDim()), d.New(6, mv.Encoder.FeatureDim())}
		if err := mc.Features(h[0], xc); err != nil {
			t.Fatal(err)
		}
		if err := mv.Features(h[1], xv); err != nil {
			t.Fatal(err)
		}
		closeTol(t, "eval-mode features", download(t, d, h[1]), download(t, c, h[0]), 1e-3)
		h[0].Release()
		h[1].Release()
	})
}

func TestMemoryDoesNotGrowVulkan(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() { memoryAcrossSteps(t, d) })
}

func TestTrainSmokeVulkan(t *testing.T) {
	d := openVulkan(t)
	noPanic(t, func() { trainSmoke(t, d) })
}
