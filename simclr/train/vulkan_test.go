package train

import (
	"bytes"
	"context"
	"math"
	"testing"

	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
)

// openVulkan opens the default Vulkan device (lavapipe when the drivers
// give none), see vulkantest.Open.
func openVulkan(t *testing.T) *vulkan.Device {
	t.Helper()
	return vulkantest.Open(t, vulkan.Options{})
}

// TestTrainVulkan: the toy run on Vulkan follows the CPU run (same seed,
// same batches: the first losses agree to float32 reassociation), finishes
// with finite kNN numbers and a checkpoint, and resumes.
func TestTrainVulkan(t *testing.T) {
	d := openVulkan(t)
	dir := writeToyData(t, 64, 16)
	cfg := toyConfig(t, dir)
	cfg.Epochs = 2
	cfg.MaxSteps = 4
	ref, _, err := runToy(t, context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Out += "-vulkan"
	var log bytes.Buffer
	res, err := Run(context.Background(), d, cfg, Options{Log: &log})
	t.Logf("vulkan run log:\n%s", log.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.GlobalStep != 4 || math.IsNaN(res.KNNFinal) || res.Checkpoint == "" {
		t.Fatalf("vulkan run: %+v", res)
	}
	for i := 0; i < 2; i++ {
		c, v := float64(ref.Losses[i]), float64(res.Losses[i])
		t.Logf("step %d: loss cpu %.6f vulkan %.6f", i+1, c, v)
		if math.Abs(c-v) > 1e-3*(1+math.Abs(c)) {
			t.Errorf("step %d: loss %v on Vulkan, %v on the CPU", i+1, v, c)
		}
	}
	cfg.MaxSteps = 0
	cfg.Resume = cfg.Out
	log.Reset()
	res, err = Run(context.Background(), d, cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("resume on Vulkan: %v\n%s", err, log.String())
	}
	if res.GlobalStep != 8 || res.Epoch != 2 {
		t.Errorf("resumed vulkan run ended at step %d epoch %d, want 8 / 2", res.GlobalStep, res.Epoch)
	}
}
