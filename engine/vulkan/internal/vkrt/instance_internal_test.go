package vkrt

import (
	"strings"
	"testing"

	vk "github.com/vulkan-go/vulkan"
)

// TestInstanceShared: Devices opened one after another use one VkInstance
// per kind (sharedInstance), and opening and closing many Devices in one
// process keeps working (NVIDIA's driver stopped creating instances
// partway through the suite when each Device made its own).
func TestInstanceShared(t *testing.T) {
	first := openTest(t, Config{})
	validating := first.inst.validate
	for i := 0; i < 25; i++ {
		d, err := Open(Config{Validate: validating})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if d.inst != first.inst {
			t.Fatalf("open %d: instance %p, want the shared %p", i, d.inst, first.inst)
		}
		x := d.New(3)
		d.Upload(x, []float32{1, 2, 3})
		got := make([]float32, 3)
		d.Download(x, got)
		d.Fill(x, 6)
		got2 := make([]float32, 3)
		d.Download(x, got2)
		d.Release(x)
		if got[2] != 3 || got2[2] != 6 {
			t.Fatalf("open %d: uploaded 3, read %g; filled 6, read %g", i, got[2], got2[2])
		}
		if err := d.Close(); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
		if msgs := d.ValidationMessages(); len(msgs) > 0 {
			t.Fatalf("open %d: validation messages: %v", i, msgs)
		}
	}
	if first.inst.h == nil {
		t.Fatal("closing Devices destroyed the shared instance")
	}
	other, err := sharedInstance(!validating)
	if err == nil && other == first.inst {
		t.Fatal("validating and plain Devices share an instance")
	}
}

// TestCoopMatValidationNote: validation gives way to cooperative matrices
// only where the layer predates them and a device offers them.
func TestCoopMatValidationNote(t *testing.T) {
	yes, no := func() bool { return true }, func() bool { return false }
	old, cur := vk.MakeVersion(1, 3, 239), vk.MakeVersion(1, 4, 309)
	for _, c := range []struct {
		layer uint32
		any   func() bool
		off   bool
	}{{old, yes, true}, {old, no, false}, {cur, yes, false}, {coopMatLayerVersion, yes, false}, {0, yes, false}} {
		note := coopMatValidationNote(c.layer, c.any)
		if (note != "") != c.off {
			t.Errorf("layer %s, device with the extension %v: note %q, want validation off %v", versionString(c.layer), c.any(), note, c.off)
		}
		if c.off && !strings.Contains(note, "1.3.239") {
			t.Errorf("note %q does not name the layer's version", note)
		}
	}
}

// TestDeviceTypes: the default choice prefers discrete, integrated,
// virtual and CPU devices in that order, any other type last, and each
// type has its name.
func TestDeviceTypes(t *testing.T) {
	order := []vk.PhysicalDeviceType{vk.PhysicalDeviceTypeDiscreteGpu, vk.PhysicalDeviceTypeIntegratedGpu,
		vk.PhysicalDeviceTypeVirtualGpu, vk.PhysicalDeviceTypeCpu, vk.PhysicalDeviceTypeOther}
	names := []string{"discrete", "integrated", "virtual", "cpu", "other"}
	for i, typ := range order {
		if got := typeName(typ); got != names[i] {
			t.Errorf("type %d: name %q, want %q", typ, got, names[i])
		}
		if i > 0 && typeRank(order[i-1]) >= typeRank(typ) {
			t.Errorf("%s ranks %d, not before %s's %d", names[i-1], typeRank(order[i-1]), names[i], typeRank(typ))
		}
	}
}
