package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
)

// TestAugmentOnDevice: two steps of the toy run with every augmentation
// step on (blur, solarisation, noise) give the same losses with the views
// rendered on the device (--augment-on gpu) as with the loader's workers
// (cpu), on one Vulkan device; the device run says where its views came
// from.
func TestAugmentOnDevice(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 48, 16))
	cfg.Epochs, cfg.MaxSteps = 1, 2
	cfg.Blur, cfg.SolarizeProb, cfg.NoiseStd = "on", 0.5, 0.05
	d := vulkantest.Open(t, vulkan.Options{})
	var losses [2][]float32
	for i, on := range []string{AugmentCPU, AugmentGPU} {
		c := cfg
		c.AugmentOn = on
		c.Out += "-" + on
		var log strings.Builder
		res, err := Run(context.Background(), d, c, Options{Log: &log})
		if err != nil {
			t.Fatalf("--augment-on %s: %v\n%s", on, err, log.String())
		}
		if dev := strings.Contains(log.String(), "views rendered on the device"); dev != (on == AugmentGPU) {
			t.Errorf("--augment-on %s: log says views on the device: %v\n%s", on, dev, log.String())
		}
		losses[i] = res.Losses
	}
	if len(losses[0]) != 2 || len(losses[1]) != 2 {
		t.Fatalf("losses %v", losses)
	}
	for s := range 2 {
		c, g := float64(losses[0][s]), float64(losses[1][s])
		t.Logf("step %d: loss with views from the cpu %.7f, the device %.7f", s+1, c, g)
		if math.Abs(c-g) > 1e-5*(1+math.Abs(c)) {
			t.Errorf("step %d: loss %v with device views, %v with CPU views", s+1, g, c)
		}
	}
}

// TestAugmentOnChoice: gpu needs a backend that renders views and a batch
// stepped whole; auto renders on the device only on a GPU (Options.GPU).
func TestAugmentOnChoice(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 16))
	cfg.MaxSteps = 1
	cfg.AugmentOn = AugmentGPU
	_, _, err := runToy(t, context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "--augment-on") || !strings.Contains(err.Error(), "renders no views") {
		t.Errorf("gpu on the CPU backend: err = %v", err)
	}
	cfg.AugmentOn = "tpu"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--augment-on") {
		t.Errorf("--augment-on tpu: err = %v", err)
	}

	d := vulkantest.Open(t, vulkan.Options{})
	cfg.AugmentOn, cfg.MicroBatch = AugmentGPU, "4"
	var log strings.Builder
	_, err = Run(context.Background(), d, cfg, Options{Log: &log})
	if err == nil || !strings.Contains(err.Error(), "--augment-on") || !strings.Contains(err.Error(), "not supported yet") {
		t.Errorf("gpu with micro-batch chunks: err = %v", err)
	}
	for _, c := range []struct {
		gpu  bool
		want bool
	}{{false, false}, {true, true}} {
		cfg.AugmentOn, cfg.MicroBatch = AugmentAuto, "0"
		cfg.Out += "x"
		log.Reset()
		if _, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: c.gpu}); err != nil {
			t.Fatalf("auto (GPU %v): %v\n%s", c.gpu, err, log.String())
		}
		if got := strings.Contains(log.String(), "views rendered on the device"); got != c.want {
			t.Errorf("auto with Options.GPU %v: views on the device %v, want %v", c.gpu, got, c.want)
		}
	}
}

// faultyViews is a Vulkan device whose rendered views are off by 1%, as a
// driver that miscompiles an augmentation kernel would give.
type faultyViews struct{ *vulkan.Device }

func (f faultyViews) AugmentViews(dst *engine.Tensor, images []engine.AugmentImage, views []engine.AugmentView) {
	f.Device.AugmentViews(dst, images, views)
	f.Device.Scale(dst, dst, 1.01)
}

// TestAugmentOnSelfCheck: views that disagree with the CPU specification
// are caught before training: --augment-on gpu fails naming the flag and
// the self-check, auto falls back to the loader's workers with a note.
func TestAugmentOnSelfCheck(t *testing.T) {
	cfg := toyConfig(t, writeToyData(t, 32, 16))
	cfg.MaxSteps = 1
	d := faultyViews{vulkantest.Open(t, vulkan.Options{})}
	cfg.AugmentOn = AugmentGPU
	var log strings.Builder
	_, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: true})
	if err == nil || !strings.Contains(err.Error(), "--augment-on") || !strings.Contains(err.Error(), "self-check") {
		t.Errorf("gpu with faulty views: err = %v", err)
	}
	cfg.AugmentOn = AugmentAuto
	cfg.Out += "-auto"
	log.Reset()
	if _, err := Run(context.Background(), d, cfg, Options{Log: &log, GPU: true}); err != nil {
		t.Fatalf("auto with faulty views: %v\n%s", err, log.String())
	}
	if s := log.String(); strings.Contains(s, "views rendered on the device") || !strings.Contains(s, "self-check") {
		t.Errorf("auto with faulty views: want the workers and a note of the self-check:\n%s", s)
	}
}
