package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
)

// faultyViews is a Vulkan device whose rendered views are off by 1%, as a
// driver that miscompiles an augmentation kernel would give.
type faultyViews struct{ *vulkan.Device }

func (f faultyViews) AugmentViews(dst *engine.Tensor, images []engine.AugmentImage, views []engine.AugmentView) {
	f.Device.AugmentViews(dst, images, views)
	f.Device.Scale(dst, dst, 1.01)
}

// countedViews is a Vulkan device that counts the views it renders.
type countedViews struct {
	*vulkan.Device
	views *int
}

func (c countedViews) AugmentViews(dst *engine.Tensor, images []engine.AugmentImage, views []engine.AugmentView) {
	c.Device.AugmentViews(dst, images, views)
	*c.views += len(views)
}

// smallUploads is a Vulkan device that takes uploads of 16 bytes, less
// than any test image.
type smallUploads struct{ *vulkan.Device }

func (smallUploads) AugmentLimit() int64 { return 16 }

// benchDataJSON runs bench data with args and --json under opt and
// returns its result.
func benchDataJSON(t *testing.T, args []string, opt benchDataOptions) (dataResult, error) {
	t.Helper()
	out := tempOut(t)
	stdout := os.Stdout
	os.Stdout = out
	err := benchData(append(args, "--json"), opt)
	os.Stdout = stdout
	var res dataResult
	if err == nil {
		if err := json.Unmarshal([]byte(readAll(t, out)), &res); err != nil {
			t.Fatalf("bench data --json: %v\n%s", err, readAll(t, out))
		}
	}
	return res, err
}

// TestBenchDataGPU: --augment gpu on a Vulkan device runs the self-check,
// then reports positive rates of the device's augmentation and of the
// whole pipeline (views rendered on the device, CPU time measured), with
// no validation message; auto on a CPU device (lavapipe) measures the
// loader's workers; views that disagree with the CPU specification are
// refused before any measurement, naming the flag and the self-check, and
// so are images larger than one upload to the device, naming the flag and
// the largest image.
func TestBenchDataGPU(t *testing.T) {
	vulkantest.UseLavapipeIfNoDevice()
	if devs, err := vulkan.Devices(); err != nil || len(devs) == 0 {
		if vulkantest.Required() {
			t.Fatalf("Vulkan required: %v", err)
		}
		t.Skipf("no Vulkan device: %v", err)
	}
	folder := mixedPNGFolder(t)
	args := []string{"--data", folder, "--backend", "vulkan", "--validate", "--autotune", "off", "--image-size", "8",
		"--images", "8", "--repeat", "1", "--batch", "4", "--workers", "2"}
	var dev *vulkan.Device
	views := 0
	counted := benchDataOptions{opened: func(b engine.Backend) engine.Backend {
		dev = b.(*vulkan.Device)
		return countedViews{dev, &views}
	}}
	res, err := benchDataJSON(t, append(args, "--augment", "gpu"), counted)
	if err != nil {
		t.Fatalf("bench data --augment gpu: %v", err)
	}
	if dev == nil {
		t.Fatal("bench data --augment gpu opened no backend")
	}
	vulkantest.CheckValidation(t, dev)
	if want := 12 + 2*8 + 2*8; views != want { // the self-check's, the augment stage's, the loader's
		t.Errorf("%d views rendered on the device, want %d: 12 of the self-check, 2 per image of each stage", views, want)
	}
	if res.Augment != "gpu" || res.Backend != "vulkan" || res.Device == "" {
		t.Errorf("augment %q on %q (%q), want gpu on vulkan", res.Augment, res.Backend, res.Device)
	}
	for name, v := range map[string]float64{"read/decode": res.DecodeIPS, "augment": res.AugmentIPS, "augment views": res.AugmentVPS,
		"loader": res.LoaderIPS, "loader views": res.LoaderVPS, "loader CPU cores": res.LoaderCores, "loader CPU per image": res.LoaderCPUms} {
		if !(v > 0) {
			t.Errorf("%s: %g, want > 0", name, v)
		}
	}
	if res.LoaderVPS != 2*res.LoaderIPS || res.AugmentVPS != 2*res.AugmentIPS {
		t.Errorf("views/s %g and %g, want twice the images/s %g and %g", res.AugmentVPS, res.LoaderVPS, res.AugmentIPS, res.LoaderIPS)
	}

	dev = nil
	keep := benchDataOptions{opened: func(b engine.Backend) engine.Backend { dev = b.(*vulkan.Device); return b }}
	res, err = benchDataJSON(t, append(args, "--augment", "auto"), keep)
	if err != nil {
		t.Fatalf("bench data --augment auto: %v", err)
	}
	if dev != nil {
		vulkantest.CheckValidation(t, dev)
	}
	if gpu := dev != nil && gpuDevice(dev); res.Augment != map[bool]string{true: "gpu", false: "cpu"}[gpu] || (res.Backend != "") != gpu {
		t.Errorf("--augment auto on a GPU (%v): augment %q on %q", gpu, res.Augment, res.Backend)
	}

	faulty := benchDataOptions{opened: func(b engine.Backend) engine.Backend { dev = b.(*vulkan.Device); return faultyViews{dev} }}
	out := tempOut(t)
	stdout := os.Stdout
	os.Stdout = out
	err = benchData(append(args, "--augment", "gpu"), faulty)
	os.Stdout = stdout
	if err == nil || !strings.Contains(err.Error(), "--augment") || !strings.Contains(err.Error(), "self-check") {
		t.Errorf("--augment gpu with faulty views: err = %v", err)
	}
	if s := readAll(t, out); s != "" {
		t.Errorf("--augment gpu with faulty views measured:\n%s", s)
	}
	vulkantest.CheckValidation(t, dev)

	small := benchDataOptions{opened: func(b engine.Backend) engine.Backend { dev = b.(*vulkan.Device); return smallUploads{dev} }}
	_, err = benchDataJSON(t, append(args, "--augment", "gpu"), small)
	if err == nil || !strings.Contains(err.Error(), "--augment gpu: the largest image (3 x ") || !strings.Contains(err.Error(), "more than the 16 B one upload") {
		t.Errorf("--augment gpu with images over the upload limit: err = %v", err)
	}
	vulkantest.CheckValidation(t, dev)
}

// TestBenchDataGPUErrors: --augment gpu needs a device that renders views
// (the CPU backend does not); --augment takes auto, gpu or cpu.
func TestBenchDataGPUErrors(t *testing.T) {
	folder := mixedPNGFolder(t)
	for _, c := range []struct {
		args []string
		subs []string
	}{
		{[]string{"--backend", "cpu", "--augment", "gpu"}, []string{"--augment gpu", "cpu backend renders no views", "--backend vulkan"}},
		{[]string{"--augment", "tpu"}, []string{"--augment", "want auto, gpu or cpu"}},
	} {
		_, err := benchDataJSON(t, append([]string{"--data", folder, "--image-size", "8", "--repeat", "1"}, c.args...), benchDataOptions{})
		for _, s := range c.subs {
			if err == nil || !strings.Contains(err.Error(), s) {
				t.Errorf("bench data %v: err = %v, want one containing %q", c.args, err, s)
			}
		}
	}
}
