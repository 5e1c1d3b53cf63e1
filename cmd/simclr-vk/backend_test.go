package main

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vktest"
)

// TestAutotuneFlag: --autotune and its earlier name --gemm-autotune set
// the same value, and the default is auto.
func TestAutotuneFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "auto"},
		{[]string{"--autotune", "off"}, "off"},
		{[]string{"--gemm-autotune", "refresh"}, "refresh"},
	} {
		fs := newFlags("test")
		fs.SetOutput(io.Discard)
		f := addBackendFlags(fs, "auto")
		if err := fs.Parse(c.args); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if *f.autotune != c.want {
			t.Errorf("%v: autotune %q, want %q", c.args, *f.autotune, c.want)
		}
	}
}

// TestCoopMatFlag: --coopmat reaches vulkan.Options (default off), and
// on a device without cooperative matrices "on" fails with an error that
// says why while "auto" quietly keeps float32.
func TestCoopMatFlag(t *testing.T) {
	fs := newFlags("test")
	fs.SetOutput(io.Discard)
	f := addBackendFlags(fs, "vulkan")
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if o := f.vulkanOptions(); o.CoopMat != "off" {
		t.Fatalf("default CoopMat %q, want off", o.CoopMat)
	}
	if err := fs.Parse([]string{"--coopmat", "on"}); err != nil {
		t.Fatal(err)
	}
	if o := f.vulkanOptions(); o.CoopMat != "on" {
		t.Fatalf("--coopmat on gave CoopMat %q", o.CoopMat)
	}
	vktest.UseLavapipeIfNoDevice()
	t.Setenv("SIMCLR_VK_COOPMAT", "")
	b, err := f.open()
	switch {
	case errors.Is(err, vulkan.ErrCoopMatUnsupported):
		if !strings.Contains(err.Error(), "cooperative matrices not supported on") {
			t.Errorf("error %q does not name the device", err)
		}
		*f.coopmat = "auto"
		b, err = f.open()
		if err != nil {
			t.Fatalf("--coopmat auto on a device without them: %v", err)
		}
		if d := b.(*vulkan.Device); d.CoopMat() != "" {
			t.Errorf("auto chose %q", d.CoopMat())
		}
		closeBackend(b)
	case err == nil:
		if d := b.(*vulkan.Device); d.CoopMat() == "" {
			t.Errorf("--coopmat on opened %s without cooperative matrices", d.Describe())
		}
		closeBackend(b)
	case errors.Is(err, vulkan.ErrCoopMatSelfCheck):
		t.Fatalf("--coopmat on: %v", err)
	default:
		t.Skipf("no Vulkan device: %v", err)
	}
	*f.backend, *f.coopmat = "cpu", "on"
	if _, err := f.open(); err == nil || !strings.Contains(err.Error(), "backend is cpu") {
		t.Errorf("--backend cpu --coopmat on: %v", err)
	}
	*f.backend = "vulkan"
	*f.coopmat = "sometimes"
	if _, err := f.open(); err == nil || !strings.Contains(err.Error(), "want off, auto or on") {
		t.Errorf("--coopmat sometimes: %v", err)
	}
}

// TestBackendFlagsForRank: a --device list gives each node-local rank its
// entry (a world of one the first; refused where it has none); with
// several ranks on the machine --threads 0 becomes cores / ranks; the CPU
// backend gets no device; a world of one keeps the flags.
func TestBackendFlagsForRank(t *testing.T) {
	parse := func(args ...string) *backendFlags {
		fs := newFlags("test")
		fs.SetOutput(io.Discard)
		f := addBackendFlags(fs, "auto")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return f
	}
	two := dist.Local(2)
	f := parse("--backend", "vulkan", "--device", "0, 99")
	if err := f.forRank(two[1]); err != nil || *f.device != "99" || *f.threads != max(1, runtime.NumCPU()/2) {
		t.Errorf("local rank 1 of 2, --device '0, 99': %v, device %q, threads %d", err, *f.device, *f.threads)
	}
	f = parse("--backend", "cpu", "--threads", "3")
	if err := f.forRank(two[0]); err != nil || *f.device != "" || *f.threads != 3 {
		t.Errorf("cpu, --threads 3 on 2 ranks: %v, device %q, threads %d", err, *f.device, *f.threads)
	}
	f = parse("--device", "0,1")
	if err := f.forRank(dist.Local(3)[2]); err == nil || !strings.Contains(err.Error(), "local rank 2 of 3") {
		t.Errorf("a list of 2 devices on local rank 2 of 3: %v", err)
	}
	f = parse("--device", "1,0")
	if err := f.forRank(dist.Single{}); err != nil || *f.device != "1" {
		t.Errorf("a device list in a world of one: %v, device %q", err, *f.device)
	}
	f = parse("--backend", "cpu")
	if err := f.forRank(dist.Single{}); err != nil || *f.threads != 0 {
		t.Errorf("a world of one: %v, threads %d", err, *f.threads)
	}
}

// TestSingleProcessCommands: under an MPI launch of several ranks only train
// and bench step run; embed, eval, export, ... refuse (each rank would do the
// whole work and write the same file); one rank, or no launcher, runs all.
func TestSingleProcessCommands(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	two := env(map[string]string{"OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "1"})
	one := env(map[string]string{"OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_RANK": "0"})
	none := env(nil)
	for _, c := range []struct {
		name string
		args []string
		ok   bool
	}{
		{"train", nil, true},
		{"bench", []string{"step", "--batch", "8"}, true},
		{"bench", []string{"gemm"}, false},
		{"embed", nil, false},
		{"eval", []string{"knn"}, false},
		{"export", nil, false},
	} {
		err := singleProcess(c.name, c.args, two)
		if (err == nil) != c.ok {
			t.Errorf("%s %v under 2 ranks: err = %v", c.name, c.args, err)
		}
		if err != nil && !strings.Contains(err.Error(), "only train and bench step run data-parallel") {
			t.Errorf("%s: message %q", c.name, err)
		}
		for _, g := range []func(string) string{one, none} {
			if err := singleProcess(c.name, c.args, g); err != nil {
				t.Errorf("%s %v in one process: %v", c.name, c.args, err)
			}
		}
	}
}
