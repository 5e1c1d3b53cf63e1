package main

import (
	"errors"
	"io"
	"strings"
	"testing"

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
