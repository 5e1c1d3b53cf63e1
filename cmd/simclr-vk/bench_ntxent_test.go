package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
)

// TestBenchNTXentVulkanLab: on Vulkan `bench ntxent` finds the unfused
// baseline through the device's Lab (vulkan.Lab, the one way to the
// benchmark-only kernels), runs it after the fused kernels and checks
// their losses agree; without it the command fails ("no baseline").
func TestBenchNTXentVulkanLab(t *testing.T) {
	vulkantest.UseLavapipeIfNoDevice()
	vulkantest.Open(t, vulkan.Options{}) // skips (or fails where required) without Vulkan
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
	var impls []string
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		var l ntxentBenchLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		impls = append(impls, l.Impl)
	}
	if len(impls) < 2 || impls[0] != "fused" || impls[len(impls)-1] != "unfused" {
		t.Errorf("implementations %v, want fused first and the lab's unfused last", impls)
	}
}
