package vkrt

import (
	"bytes"
	"errors"
	"log"
	"os"
	"strings"
	"testing"

	"simclr-vk/engine"
)

// TestDenyRulesMatch matches every built-in entry against a fake device
// made from it, and near misses (another vendor, driver, device ID or
// name) against none.
func TestDenyRulesMatch(t *testing.T) {
	for i, r := range DenyRules {
		if r.Reason == "" || !strings.Contains(r.Reason, "#") {
			t.Errorf("DenyRules[%d]: reason %q cites no report", i, r.Reason)
		}
		hit := DeviceInfo{VendorID: r.VendorID, Name: "GPU " + r.NameContains + "770 Graphics", DriverVersion: r.MinDriverVersion}
		if len(r.DriverIDs) > 0 {
			hit.DriverID = r.DriverIDs[0]
		}
		if len(r.DeviceIDs) > 0 {
			hit.DeviceID = r.DeviceIDs[len(r.DeviceIDs)-1]
		}
		if got := denial(DenyRules, r.Feature, hit); got != r.Reason {
			t.Errorf("DenyRules[%d] on %+v: denial %q, want its reason", i, hit, got)
		}
		other := map[string]string{FeatureCoopMat: FeatureFloat16, FeatureFloat16: FeatureCoopMat}[r.Feature]
		if got := denial([]DenyRule{r}, other, hit); got != "" {
			t.Errorf("DenyRules[%d] refuses %s too: %q", i, other, got)
		}
		miss := map[string]DeviceInfo{}
		m := hit
		m.VendorID ^= 1
		miss["vendor"] = m
		if len(r.DriverIDs) > 0 {
			m = hit
			m.DriverID = DriverMesaLLVMpipe
			miss["driver"] = m
			m.DriverID = 0 // not read (below Vulkan 1.2)
			miss["driver unknown"] = m
		}
		if len(r.DeviceIDs) > 0 {
			m = hit
			m.DeviceID = 0xE20B // Battlemage (Xe2), which keeps cooperative matrices in cubecl #1444
			miss["device"] = m
		}
		if r.NameContains != "" {
			m = hit
			m.Name = "Intel(R) Arc(TM) B580 Graphics"
			miss["name"] = m
		}
		for what, info := range miss {
			if got := denial(DenyRules, r.Feature, info); got != "" {
				t.Errorf("DenyRules[%d], other %s %+v: denied (%q)", i, what, info, got)
			}
		}
	}
}

// TestDenyRuleVersions checks the driver-version bounds: Min inclusive,
// Below exclusive, 0 unbounded.
func TestDenyRuleVersions(t *testing.T) {
	r := DenyRule{Feature: FeatureFloat16, VendorID: 0x1002, MinDriverVersion: 100, BelowDriverVersion: 200, Reason: "r"}
	for v, want := range map[uint32]bool{0: false, 99: false, 100: true, 150: true, 199: true, 200: false, 1 << 31: false} {
		if got := r.matches(DeviceInfo{VendorID: 0x1002, DriverVersion: v}); got != want {
			t.Errorf("driver version %d in [100, 200): %v, want %v", v, got, want)
		}
	}
	open := DenyRule{VendorID: 0x1002, BelowDriverVersion: 200}
	if !open.matches(DeviceInfo{VendorID: 0x1002}) || open.matches(DeviceInfo{VendorID: 0x1002, DriverVersion: 200}) {
		t.Error("a rule without a lower bound: wrong match")
	}
	from := DenyRule{VendorID: 0x1002, MinDriverVersion: 100}
	if !from.matches(DeviceInfo{VendorID: 0x1002, DriverVersion: 0xffffffff}) || from.matches(DeviceInfo{VendorID: 0x1002, DriverVersion: 99}) {
		t.Error("a rule without an upper bound: wrong match")
	}
}

// TestDeniedError checks the refusal names the device, the driver, the
// reason and the ways out.
func TestDeniedError(t *testing.T) {
	info := DeviceInfo{Name: "Intel(R) Graphics (PTL)", DriverName: "Intel open-source Mesa driver", DriverID: DriverIntelMesa, DriverVersion: 0x6400005}
	err := deniedError(info, "cooperative matrices", "loads return the first tile (cubecl PR #1444)", "--coopmat off or auto")
	if !errors.Is(err, engine.ErrFeatureDenied) {
		t.Errorf("%v does not wrap engine.ErrFeatureDenied", err)
	}
	for _, want := range []string{`"Intel(R) Graphics (PTL)"`, "Intel open-source Mesa driver, INTEL_OPEN_SOURCE_MESA, version 0x6400005", "cubecl PR #1444", "--coopmat off", "--allow-denied-driver"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

// TestCoopMatDenial checks the CoopMat modes on a denied device that
// offers the kernels (the CI's lavapipe has none, so Open cannot show it).
func TestCoopMatDenial(t *testing.T) {
	info := DeviceInfo{Name: "Intel(R) Graphics (PTL)", DriverID: DriverIntelMesa, CoopMatKernel: "cm_s32", CoopMatDenied: "first tile (cubecl PR #1444)"}
	if _, _, err := coopMatDenial(info, "on", false); !errors.Is(err, engine.ErrFeatureDenied) || !strings.Contains(err.Error(), "--coopmat off") {
		t.Errorf("on: %v", err)
	}
	mode, note, err := coopMatDenial(info, "auto", false)
	if mode != "off" || err != nil || !strings.Contains(note, info.Name) || !strings.Contains(note, "INTEL_OPEN_SOURCE_MESA") || !strings.Contains(note, "cubecl PR #1444") {
		t.Errorf("auto: %q, %q, %v", mode, note, err)
	}
	for _, m := range []string{"on", "auto"} {
		if mode, note, err := coopMatDenial(info, m, true); mode != m || err != nil || !strings.Contains(note, "AllowDenied") {
			t.Errorf("%s, AllowDenied: %q, %q, %v", m, mode, note, err)
		}
	}
	if mode, note, err := coopMatDenial(info, "off", false); mode != "off" || note != "" || err != nil {
		t.Errorf("off: %q, %q, %v", mode, note, err)
	}
	info.CoopMatDenied = ""
	if mode, note, err := coopMatDenial(info, "on", false); mode != "on" || note != "" || err != nil {
		t.Errorf("on, not denied: %q, %q, %v", mode, note, err)
	}
}

// TestDeviceNotDenied: no built-in entry refuses anything on the test
// device (lavapipe in CI), and its VkDriverId is read.
func TestDeviceNotDenied(t *testing.T) {
	d := openTest(t, Config{})
	if d.info.CoopMatDenied != "" || d.info.Float16Denied != "" {
		t.Errorf("%q (driver %s) denied: coopmat %q, float16 %q", d.info.Name, d.info.DriverDescription(), d.info.CoopMatDenied, d.info.Float16Denied)
	}
	if d.info.Type == "cpu" && d.info.DriverID != DriverMesaLLVMpipe {
		t.Errorf("lavapipe's driver ID %d (%s), want %d (MESA_LLVMPIPE)", d.info.DriverID, DriverIDName(d.info.DriverID), DriverMesaLLVMpipe)
	}
}

// TestDeviceDenied refuses the test device's features with a rule that
// matches it: CoopMat "on" fails, "auto" logs the denial, float16
// storage fails, and AllowDenied overrides both.
func TestDeviceDenied(t *testing.T) {
	probe := openTest(t, Config{})
	info := probe.info
	rules := []DenyRule{
		{Feature: FeatureCoopMat, VendorID: info.VendorID, DriverIDs: []uint32{info.DriverID}, Reason: "test coopmat reason"},
		{Feature: FeatureFloat16, VendorID: info.VendorID, DeviceIDs: []uint32{info.DeviceID}, Reason: "test float16 reason"},
	}
	if info.CoopMatKernel != "" {
		_, err := Open(Config{CoopMat: "on", DenyRules: rules})
		if !errors.Is(err, engine.ErrFeatureDenied) || !strings.Contains(err.Error(), info.Name) || !strings.Contains(err.Error(), "test coopmat reason") || !strings.Contains(err.Error(), "--coopmat off") {
			t.Errorf("CoopMat on, denied: %v", err)
		}
		var buf bytes.Buffer
		log.SetOutput(&buf)
		d := openTest(t, Config{CoopMat: "auto", DenyRules: rules})
		log.SetOutput(os.Stderr)
		if d.CoopMat() != "" || !strings.Contains(buf.String(), "test coopmat reason") || !strings.Contains(buf.String(), info.Name) {
			t.Errorf("CoopMat auto, denied: variant %q, log %q", d.CoopMat(), buf.String())
		}
		if d := openTest(t, Config{CoopMat: "on", DenyRules: rules, AllowDenied: true}); d.CoopMat() == "" {
			t.Error("CoopMat on, denied, AllowDenied: no cooperative matrices")
		}
	} else {
		t.Logf("no cooperative matrices on %q (%s): their refusal is not exercised", info.Name, info.CoopMatMissing)
	}
	if !info.Float16Storage {
		t.Skipf("no float16 storage on %q: %s", info.Name, info.Float16StorageMissing)
	}
	d := openTest(t, Config{DenyRules: rules})
	err := d.Float16Storage()
	if !errors.Is(err, engine.ErrFeatureDenied) || !strings.Contains(err.Error(), "test float16 reason") || !strings.Contains(err.Error(), "--precision fp32") {
		t.Errorf("float16 storage, denied: %v", err)
	}
	if d.storage16() {
		t.Error("float16 storage enabled on a denied device")
	}
	nd := openSticky(t, Config{DenyRules: rules}, d)
	nd.NewFloat16(5)
	if err := nd.Flush(); !errors.Is(err, engine.ErrFeatureDenied) || !strings.Contains(err.Error(), "NewFloat16 [5]") || !strings.Contains(err.Error(), "test float16 reason") {
		t.Errorf("NewFloat16 on a denied device: sticky error %v, want engine.ErrFeatureDenied naming the op and the reason", err)
	}
	var buf bytes.Buffer
	log.SetOutput(&buf)
	ad := openTest(t, Config{DenyRules: rules, AllowDenied: true})
	log.SetOutput(os.Stderr)
	if err := ad.Float16Storage(); err != nil {
		t.Errorf("float16 storage, denied, AllowDenied: %v", err)
	}
	if !strings.Contains(buf.String(), "despite the deny list") {
		t.Errorf("Open with AllowDenied on a denied device did not log it: %q", buf.String())
	}
}

// TestDeniedFloat16TurnedOff: with a float16 deny rule matching the test
// device, AllowDenied lifts the denial, so a device opened with
// NoFloat16Storage as well lacks float16 storage because of
// NoFloat16Storage alone: Float16Storage and NewFloat16's sticky error
// say so (not the deny list's reason, nor engine.ErrFeatureDenied), and
// Open does not log that it uses float16 storage despite the deny list.
func TestDeniedFloat16TurnedOff(t *testing.T) {
	probe := openTest(t, Config{})
	if !probe.info.Float16Storage {
		t.Skipf("no float16 storage on %q: %s", probe.info.Name, probe.info.Float16StorageMissing)
	}
	rules := []DenyRule{{Feature: FeatureFloat16, VendorID: probe.info.VendorID, Reason: "test float16 reason"}}
	var buf bytes.Buffer
	log.SetOutput(&buf)
	d := openSticky(t, Config{NoFloat16Storage: true, AllowDenied: true, DenyRules: rules}, probe)
	log.SetOutput(os.Stderr)
	if strings.Contains(buf.String(), "float16") {
		t.Errorf("Open logged float16 storage on a device opened without it: %q", buf.String())
	}
	notDenied := func(what string, err error) {
		t.Helper()
		if err == nil || errors.Is(err, engine.ErrFeatureDenied) || !strings.Contains(err.Error(), "NoFloat16Storage") || strings.Contains(err.Error(), "test float16 reason") || strings.Contains(err.Error(), "denied") {
			t.Errorf("%s, NoFloat16Storage and AllowDenied on a denied device: %v, want the reason NoFloat16Storage and not the deny list", what, err)
		}
	}
	notDenied("Float16Storage", d.Float16Storage())
	d.NewFloat16(5)
	notDenied("NewFloat16", d.Flush())
}
