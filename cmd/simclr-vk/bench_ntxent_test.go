package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
)

// TestBenchNTXentVulkanLab: on Vulkan `bench ntxent` runs the device's
// fused kernel first (reporting the family Plans.NTXentKernel names), then
// every other family that applies at the shape forced through the Lab,
// then the unfused baseline (vulkan.Lab, the one way to the
// benchmark-only kernels); without the baseline the command fails ("no
// baseline").
func TestBenchNTXentVulkanLab(t *testing.T) {
	vulkantest.UseLavapipeIfNoDevice()
	d := vulkantest.Open(t, vulkan.Options{}) // skips (or fails where required) without Vulkan
	auto := d.Plans().NTXentKernel("", 64, 8)
	want := []string{"fused"}
	for _, k := range vulkan.NTXentKernels {
		if k != auto && d.Plans().NTXentKernel(k, 64, 8) == k {
			want = append(want, "fused_"+k)
		}
	}
	want = append(want, "unfused")
	out := filepath.Join(t.TempDir(), "stdout")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = f
	err = runBenchNTXent([]string{"--backend", "vulkan", "--n", "64", "--dim", "8", "--iters", "1", "--json"})
	os.Stdout = stdout
	f.Close()
	if err != nil {
		t.Fatalf("bench ntxent: %v", err)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var impls, kernels []string
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		var l ntxentBenchLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		impls, kernels = append(impls, l.Impl), append(kernels, l.Kernel)
	}
	if !slices.Equal(impls, want) {
		t.Errorf("implementations %v, want %v: the device's fused kernel, the other families that apply, the lab's unfused", impls, want)
	}
	if len(want) < 3 {
		t.Errorf("no other fused family applies at 64 x 8 on this device (%s only): the forced kernels went untested", auto)
	}
	if len(kernels) == 0 || kernels[0] != auto {
		t.Errorf("kernels %v, want the device's choice %q first", kernels, auto)
	}
}
