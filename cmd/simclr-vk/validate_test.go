package main

import (
	"os"
	"strings"
	"testing"

	"simclr-vk/engine/cpu"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
)

// TestFlagRanges runs every command with each numeric flag set to NaN,
// infinities, negative, zero where zero is not a value, and huge values:
// each must fail with an error naming the flag, before it writes anything
// (the commands run in an empty working directory, where their default
// outputs would go).
func TestFlagRanges(t *testing.T) {
	bad := []string{"NaN", "Inf", "-Inf", "-1", "1e300", "100000000000000000"}
	type cmd struct {
		run   func(args []string) error
		base  []string
		flags map[string][]string // flag: extra bad values beyond bad
	}
	train := func(args []string) error {
		return trainWithSignals(args, nil, tempOut(t), func(int) { t.Error("abort") })
	}
	sub := func(name string, run func([]string) error) func([]string) error {
		return func(args []string) error { return run(append([]string{name}, args...)) }
	}
	model := map[string][]string{"image-size": {"100000"}, "batch": {"0"}, "workers": {"100000"}, "threads": {"100000"}}
	with := func(m map[string][]string, more map[string][]string) map[string][]string {
		out := map[string][]string{}
		for k, v := range m {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	arch := map[string][]string{"width": {"0", "1e6"}, "in-channels": {"0", "100000"}, "proj-layers": {"1000"}, "proj-hidden": {"1000000000"}, "proj-out": {"1000000000"}}
	cmds := map[string]cmd{
		"train": {train, []string{"--backend", "cpu", "--data", "/nonexistent-data"}, map[string][]string{
			"image-size": {"100000"}, "width": {"0", "1e6"}, "proj-dims": {"0,1000000000", "1000000000,1"}, "batch-size": {"0", "1"},
			"epochs": {"0"}, "lr": {"0"}, "warmup-epochs": nil, "weight-decay": nil, "momentum": {"1"}, "temperature": {"0"},
			"color-jitter-strength": nil, "crop-min-scale": {"0"}, "solarize-prob": {"1.5"}, "noise-std": {"2"}, "subset": nil, "max-steps": nil, "workers": nil, "log-every": {"0"},
			"knn-every": nil, "knn-k": {"0"}, "knn-t": {"0"}, "knn-subset": nil, "knn-bank": nil, "save-every": nil, "keep": nil,
			"threads": {"100000"}, "micro-batch": {"129", "auto2"},
		}},
		"eval knn":    {sub("knn", runEval), []string{"--checkpoint", "ck", "--data", "/nonexistent-data"}, with(model, map[string][]string{"k": {"0"}, "t": {"0"}, "precision": {"fp16", "Mixed"}})},
		"eval linear": {sub("linear", runEval), []string{"--checkpoint", "ck", "--data", "/nonexistent-data"}, with(model, map[string][]string{"epochs": {"0"}, "lr": {"0"}, "precision": {"fp16", "Mixed"}})},
		"finetune": {runFinetune, []string{"--checkpoint", "ck", "--data", "/nonexistent-data"}, with(with(model, arch), map[string][]string{
			"label-fraction": {"0", "1.5"}, "from-stage": {"6"}, "epochs": {"0"}, "lr": {"0"}, "precision": {"fp16", "Mixed"}})},
		"embed":  {runEmbed, []string{"--checkpoint", "ck", "--data", "/nonexistent-data"}, model},
		"export": {runExport, []string{"--checkpoint", "ck"}, map[string][]string{"check-samples": {"100000000"}, "image-size": {"100000"}}},
		"import": {runImport, []string{"--from", "w.safetensors", "--out", "imported"}, with(arch, map[string][]string{"image-size": {"100000"}})},
		"augment": {runAugment, []string{"--data", "/nonexistent-data"}, map[string][]string{"image-size": {"100000"}, "n": {"0"}, "views": {"0", "1000"},
			"jitter-strength": {"1e9"}, "scale": {"100000"}}},
		"bench gemm": {sub("gemm", runBench), nil, map[string][]string{"size": {"0", "1000000", "1,2", "100000"}, "repeat": nil,
			"runs": {"0"}, "threads": {"100000"}}},
		"bench conv": {sub("conv", runBench), nil, map[string][]string{"width": {"0"}, "image": {"0x32x3", "100000x100000x3", "32x32x1000", "NaNxNaNx3"},
			"batch": {"0"}, "iters": {"0"}}},
		"bench ntxent": {sub("ntxent", runBench), nil, map[string][]string{"n": {"0", "3", "1000000"}, "dim": {"0"}, "tau": {"0"}, "iters": {"0"}}},
		"bench step": {sub("step", runBench), []string{"--backend", "cpu"}, map[string][]string{"width": {"0", "1e6"}, "image": {"0x32x3", "100000x100000x3"},
			"batch": {"0", "100000000"}, "micro-batch": {"257", "x"}, "steps": {"0"}, "warmup": nil, "tau": {"0"}, "head-out": {"0"}, "precision": {"fp16", "Mixed"}}},
	}
	n := 0
	for name, c := range cmds {
		for flag, extra := range c.flags {
			vals := append(append([]string{}, bad...), extra...)
			switch flag {
			case "image", "size", "proj-dims":
				vals = extra
			case "lr": // any finite rate up to train.MaxLR = 1e30 is accepted
				vals = []string{"NaN", "Inf", "-Inf", "-1", "0", "1e31"}
			}
			for _, v := range vals {
				dir := t.TempDir()
				t.Chdir(dir)
				args := append(append([]string{}, c.base...), "--"+flag, v)
				err := c.run(args)
				n++
				if err == nil || !strings.Contains(err.Error(), "--"+flag) {
					t.Errorf("%s %s: err = %v, want one naming --%s", name, strings.Join(args, " "), err, flag)
				}
				if ents, _ := os.ReadDir(dir); len(ents) > 0 {
					t.Errorf("%s %s wrote %s", name, strings.Join(args, " "), ents[0].Name())
				}
			}
		}
	}
	t.Logf("%d bad values refused", n)
}

// TestEarlyChecks: outputs that cannot be written and flag combinations
// that cannot work fail before any model or data is opened.
func TestEarlyChecks(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		run  func() error
		want string
	}{
		{func() error { return runFinetune([]string{"--checkpoint", "ck", "--out", "file/sub"}) }, "--out file/sub: file is not a directory"},
		{func() error { return runFinetune([]string{"--checkpoint", "ck", "--out", "file"}) }, "--out file: exists and is not a directory"},
		{func() error { return runEval([]string{"linear", "--checkpoint", "ck", "--out", "file/x.json"}) }, "--out file/x.json"},
		{func() error { return runEval([]string{"knn", "--checkpoint", "ck", "--out", "."}) }, "--out .: is a directory"},
		{func() error { return runEmbed([]string{"--checkpoint", "ck", "--labels-out", "file/l.npy"}) }, "--labels-out"},
		{func() error { return runExport([]string{"--checkpoint", "ck", "--out", "file/e.safetensors"}) }, "--out"},
		{func() error { return runImport([]string{"--from", "w", "--out", "file/run"}) }, "--out"},
		{func() error { return runAugment([]string{"--out", "file/a.png"}) }, "--out"},
		{func() error { return runFinetune([]string{"--checkpoint", "ck", "--width", "2"}) }, "--init-from"},
		{func() error { return runExport([]string{"--checkpoint", "ck", "--image-size", "64"}) }, "--check-samples"},
	} {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want one containing %q", err, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in the working directory, want only the file", len(ents))
	}
}

// TestBenchStepHostViews: bench step refuses a batch whose input views do
// not fit in the host's memory even when --micro-batch makes the model's
// share small (without the check it would try to allocate them).
func TestBenchStepHostViews(t *testing.T) {
	if bound.PhysicalMemory() == 0 {
		t.Skip("physical memory unknown")
	}
	err := runBench([]string{"step", "--backend", "cpu", "--batch", "2147483648", "--micro-batch", "1"})
	if err == nil || !strings.Contains(err.Error(), "--batch, --image") || !strings.Contains(err.Error(), "views of 32x32x3 on the host") {
		t.Errorf("err = %v, want the host memory refused naming --batch and --image", err)
	}
}

// TestDeviceMemory: on a Vulkan device the memory checks use its largest
// device-local heap (refusing what does not fit there even when it fits in
// the host's memory); on the CPU backend the physical memory.
func TestDeviceMemory(t *testing.T) {
	c := cpu.New(cpu.Options{Threads: 1})
	defer c.Close()
	if deviceMemory(c) != 0 {
		t.Error("the CPU backend has a device heap")
	}
	d := vulkantest.Open(t, vulkan.Options{})
	heap := deviceMemory(d)
	if heap == 0 {
		t.Fatalf("%s: no device-local heap", d.Describe())
	}
	check := func(limit uint64) error { return bound.Memory(bound.Usable*float64(heap)+1, limit, "x", "size") }
	if err := onDevice(d, check); err == nil || !strings.Contains(err.Error(), "--size: x needs at least") || !strings.Contains(err.Error(), "of device memory") {
		t.Errorf("heap %d: %v", heap, err)
	}
	if err := onDevice(d, func(limit uint64) error { return bound.Memory(bound.Usable*float64(heap), limit, "x", "size") }); err != nil {
		t.Error(err)
	}
}

// TestEvalModeMemory: eval and embed are charged what an eval-mode pass
// keeps (a ResNet-50 at 224 px in batches of 256 fits in 8 GiB, as it does:
// its activations are released as it goes), finetune what training keeps
// (it does not); an absurd batch is refused in both, naming --batch.
func TestEvalModeMemory(t *testing.T) {
	cfg := layers.Config{Encoder: layers.ResNetConfig{Arch: "resnet50", Stem: layers.StemImageNet, Width: 1, InChannels: 3}, Head: layers.HeadConfig{Out: 128}}
	const limit = 8 << 30
	if err := inferMemory(cfg, 224, 256, limit, "batch", "image-size"); err != nil {
		t.Errorf("eval-mode pass of 256 images: %v", err)
	}
	if err := modelMemory(cfg, 224, 256, limit, "batch", "image-size"); err == nil {
		t.Error("fine-tuning on 256 images at 224 px in 8 GiB was not refused")
	}
	if err := inferMemory(cfg, 224, 1<<20, limit, "batch", "image-size"); err == nil || !strings.HasPrefix(err.Error(), "--batch, --image-size: an eval-mode pass") {
		t.Errorf("eval-mode pass of 2^20 images: err = %v", err)
	}
}
