package vkrt

import (
	"fmt"
	"slices"
	"strings"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
)

// Features a DenyRule can refuse.
const (
	FeatureCoopMat = "coopmat" // cooperative matrices (CoopMat "auto"/"on")
	FeatureFloat16 = "float16" // float16 storage tensors (NewFloat16, --precision mixed)
)

// VkDriverId values (VkPhysicalDeviceDriverProperties.driverID, Vulkan
// 1.2), as the uint32 of DeviceInfo.DriverID: the binding's vk.DriverId
// constants where it has them.
const (
	DriverAMDProprietary          = uint32(vk.DriverIdAmdProprietary)
	DriverAMDOpenSource           = uint32(vk.DriverIdAmdOpenSource) // AMDVLK
	DriverMesaRADV                = uint32(vk.DriverIdMesaRadv)
	DriverNVIDIAProprietary       = uint32(vk.DriverIdNvidiaProprietary)
	DriverIntelProprietaryWindows = uint32(vk.DriverIdIntelProprietaryWindows)
	DriverIntelMesa               = uint32(vk.DriverIdIntelOpenSourceMesa) // ANV
	DriverMesaLLVMpipe            = 13                                     // VK_DRIVER_ID_MESA_LLVMPIPE: the binding's headers (1.1.88) stop at ARM_PROPRIETARY (9)
)

// driverIDNames names the VkDriverId values the table and its messages use.
var driverIDNames = map[uint32]string{
	DriverAMDProprietary: "AMD_PROPRIETARY", DriverAMDOpenSource: "AMD_OPEN_SOURCE", DriverMesaRADV: "MESA_RADV",
	DriverNVIDIAProprietary: "NVIDIA_PROPRIETARY", DriverIntelProprietaryWindows: "INTEL_PROPRIETARY_WINDOWS",
	DriverIntelMesa: "INTEL_OPEN_SOURCE_MESA", DriverMesaLLVMpipe: "MESA_LLVMPIPE",
}

// DriverIDName is the VkDriverId's name without VK_DRIVER_ID_ ("" for 0:
// not read, below Vulkan 1.2).
func DriverIDName(id uint32) string {
	if id == 0 {
		return ""
	}
	if n, ok := driverIDNames[id]; ok {
		return n
	}
	return fmt.Sprintf("driver id %d", id)
}

// DenyRule refuses one feature on the devices it matches: drivers that
// advertise a feature and then compute wrong results with it. Every
// non-zero field must match: VendorID always; DriverIDs and DeviceIDs
// when not empty (any of them); NameContains a substring of the device
// name (case-sensitive); the raw VkPhysicalDeviceProperties.driverVersion
// (vendor-encoded) at least MinDriverVersion (inclusive) and below
// BelowDriverVersion (exclusive), 0 meaning no bound. Reason says what
// goes wrong and cites where it was found.
type DenyRule struct {
	Feature            string
	VendorID           uint32
	DriverIDs          []uint32
	DeviceIDs          []uint32
	NameContains       string
	MinDriverVersion   uint32
	BelowDriverVersion uint32
	Reason             string
}

// DenyRules is the built-in table, consulted at device open (Config.DenyRules
// replaces it in tests). Only entries with a public report belong here.
var DenyRules = []DenyRule{
	{
		Feature: FeatureCoopMat, VendorID: 0x8086, DriverIDs: []uint32{DriverIntelMesa},
		// Panther Lake and Wildcat Lake (Xe3): Linux include/drm/intel/pciids.h INTEL_PTL_IDS, INTEL_WCL_IDS.
		DeviceIDs: []uint32{0xB080, 0xB081, 0xB082, 0xB083, 0xB084, 0xB085, 0xB086, 0xB087, 0xB08F, 0xB090, 0xB091, 0xB092,
			0xB0A0, 0xB0A1, 0xB0A2, 0xB0B0, 0xFD80, 0xFD81},
		Reason: "on Intel Xe3 (Panther Lake, Wildcat Lake) with Mesa ANV, cooperative-matrix loads from shared memory at different offsets all return the first tile, so tiled matrix products are wrong (cubecl PR #1444, Mesa issue #15932)",
	},
	{
		Feature: FeatureCoopMat, VendorID: 0x8086, DriverIDs: []uint32{DriverIntelProprietaryWindows}, NameContains: "Arc(TM) A",
		Reason: "Intel's Windows driver failed llama.cpp's backend tests with cooperative matrices on an Arc A750 (llama.cpp PR #10597); llama.cpp still keeps them off on Arc A-series (Alchemist) GPUs (PRs #14001, #24404)",
	},
}

// matches reports whether r applies to the device described by info.
func (r DenyRule) matches(info DeviceInfo) bool {
	switch {
	case r.VendorID != info.VendorID,
		len(r.DriverIDs) > 0 && !slices.Contains(r.DriverIDs, info.DriverID),
		len(r.DeviceIDs) > 0 && !slices.Contains(r.DeviceIDs, info.DeviceID),
		r.NameContains != "" && !strings.Contains(info.Name, r.NameContains),
		r.MinDriverVersion != 0 && info.DriverVersion < r.MinDriverVersion,
		r.BelowDriverVersion != 0 && info.DriverVersion >= r.BelowDriverVersion:
		return false
	}
	return true
}

// denial is the Reason of the first rule of rules refusing feature on
// the device, "" when none does.
func denial(rules []DenyRule, feature string, info DeviceInfo) string {
	for _, r := range rules {
		if r.Feature == feature && r.matches(info) {
			return r.Reason
		}
	}
	return ""
}

// applyDenials fills info's CoopMatDenied and Float16Denied from rules.
func applyDenials(info *DeviceInfo, rules []DenyRule) {
	info.CoopMatDenied = denial(rules, FeatureCoopMat, *info)
	info.Float16Denied = denial(rules, FeatureFloat16, *info)
}

// deniedError is the refusal of feature on the device, wrapping
// engine.ErrFeatureDenied (Open's error for CoopMat "on", Float16Storage's
// on a denied device): the device, the driver, the reason and the way out
// (flag; AllowDenied overrides).
func deniedError(info DeviceInfo, feature, reason, flag string) error {
	return fmt.Errorf("engine/vulkan: %w", refusal(info, feature, reason, flag))
}

// refusal is deniedError without the package's prefix (NewFloat16's
// sticky error puts the op first).
func refusal(info DeviceInfo, feature, reason, flag string) error {
	return fmt.Errorf("%w: %s refused on %q (driver %s): %s; use %s, or --allow-denied-driver (vulkan.Options.AllowDenied) if this driver is fixed",
		engine.ErrFeatureDenied, feature, info.Name, info.DriverDescription(), reason, flag)
}

// coopMatDenial applies info.CoopMatDenied to the CoopMat mode: on a
// denied device that offers the kernels, "on" fails (deniedError), "auto"
// becomes "off" with a note to log, and allow (Config.AllowDenied) keeps
// the mode with a note saying so.
func coopMatDenial(info DeviceInfo, mode string, allow bool) (string, string, error) {
	why := info.CoopMatDenied
	switch {
	case why == "" || mode == "off" || info.CoopMatKernel == "":
		return mode, "", nil
	case allow:
		return mode, fmt.Sprintf("engine/vulkan: cooperative matrices on %q (driver %s) despite the deny list (AllowDenied): %s", info.Name, info.DriverDescription(), why), nil
	case mode == "on":
		return "", "", deniedError(info, "cooperative matrices", why, "--coopmat off or auto")
	}
	return "off", fmt.Sprintf("engine/vulkan: cooperative matrices off on %q (driver %s; CoopMat auto runs float32): denied: %s", info.Name, info.DriverDescription(), why), nil
}
