package main

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"simclr-vk/dist"
	"simclr-vk/engine/vulkan"
	"simclr-vk/engine/vulkan/vulkantest"
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
	vulkantest.UseLavapipeIfNoDevice()
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
		if d := b.(*vulkan.Device); d.Plans().CoopMat() != "" {
			t.Errorf("auto chose %q", d.Plans().CoopMat())
		}
		closeBackend(b)
	case err == nil:
		if d := b.(*vulkan.Device); d.Plans().CoopMat() == "" {
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

// TestRankZeroCommands: under an MPI launch of several ranks train and
// bench step run on every rank; embed, eval, export, ... run on rank 0
// alone (each rank would do the whole work and write the same file); a
// launch with no rank is refused; one rank, or no launcher, runs all.
func TestRankZeroCommands(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	rank0 := env(map[string]string{"OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"})
	rank1 := env(map[string]string{"OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "1"})
	noRank := env(map[string]string{"OMPI_COMM_WORLD_SIZE": "2"})
	one := env(map[string]string{"OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_RANK": "0"})
	none := env(nil)
	for _, c := range []struct {
		name     string
		args     []string
		parallel bool
	}{
		{"train", nil, true},
		{"bench", []string{"step", "--batch", "8"}, true},
		{"bench", []string{"gemm"}, false},
		{"embed", nil, false},
		{"eval", []string{"knn"}, false},
		{"export", nil, false},
	} {
		for _, g := range []func(string) string{rank0, one, none} {
			if run, err := onRankZero(c.name, c.args, g); !run || err != nil {
				t.Errorf("%s %v on rank 0 or alone: run %v, err %v", c.name, c.args, run, err)
			}
		}
		if run, err := onRankZero(c.name, c.args, rank1); run != c.parallel || err != nil {
			t.Errorf("%s %v on rank 1 of 2: run %v, err %v", c.name, c.args, run, err)
		}
		run, err := onRankZero(c.name, c.args, noRank)
		if c.parallel != (err == nil) || run != c.parallel {
			t.Errorf("%s %v as a rank of unknown number: run %v, err %v", c.name, c.args, run, err)
		}
	}
}
