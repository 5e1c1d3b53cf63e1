package vkrt

import (
	"fmt"
	"sort"

	vk "github.com/vulkan-go/vulkan"
)

// DeviceInfo describes one Vulkan physical device.
type DeviceInfo struct {
	Index                   int       `json:"index"` // position in vkEnumeratePhysicalDevices order (Options.Device)
	Name                    string    `json:"name"`
	Type                    string    `json:"type"` // discrete, integrated, virtual, cpu, other
	VendorID                uint32    `json:"vendor_id"`
	Vendor                  string    `json:"vendor"`
	DeviceID                uint32    `json:"device_id"`
	DriverVersion           uint32    `json:"driver_version"`
	DriverName              string    `json:"driver_name"` // "" below Vulkan 1.2
	DriverID                uint32    `json:"driver_id"`   // VkDriverId (DriverIDName); 0 below Vulkan 1.2
	DriverInfo              string    `json:"driver_info"`
	APIVersion              string    `json:"api_version"`
	HeapBytes               []uint64  `json:"heap_bytes"`
	HeapDeviceLocal         []bool    `json:"heap_device_local"`
	MaxSharedMemory         uint32    `json:"max_shared_memory"`
	MaxWorkGroupSize        [3]uint32 `json:"max_workgroup_size"`
	MaxWorkGroupInvocations uint32    `json:"max_workgroup_invocations"`
	MaxWorkGroupCount       [3]uint32 `json:"max_workgroup_count"`
	SubgroupSize            uint32    `json:"subgroup_size"`   // 0: unknown
	SubgroupOps             uint32    `json:"subgroup_ops"`    // VkSubgroupFeatureFlags
	SubgroupStages          uint32    `json:"subgroup_stages"` // VkShaderStageFlags
	// ComputeUnits: streaming multiprocessors (NVIDIA,
	// VK_NV_shader_sm_builtins) or compute units (AMD,
	// VK_AMD_shader_core_properties); 0 where the driver does not say
	// (Intel, lavapipe), and the kernel heuristics assume a count.
	ComputeUnits int `json:"compute_units,omitempty"`
	// Cooperative matrix shapes at subgroup scope ("16x16x16
	// f16*f16+f32->f32", ...; VK_KHR_cooperative_matrix), the kernel
	// variant this engine runs on them ("cm_s32"; "" when none) and, when
	// none, why (coopmat.go).
	CoopMat        []string `json:"coop_mat,omitempty"`
	CoopMatKernel  string   `json:"coop_mat_kernel,omitempty"`
	CoopMatMissing string   `json:"coop_mat_missing,omitempty"`
	// Float16Storage: storageBuffer16BitAccess, which engine.Float16
	// tensors need (storage16.go); when false, Float16StorageMissing says
	// why.
	Float16Storage        bool   `json:"float16_storage"`
	Float16StorageMissing string `json:"float16_storage_missing,omitempty"`
	// CoopMatDenied and Float16Denied: the reason of the DenyRules entry
	// refusing the feature on this device and driver (denylist.go), ""
	// when none does. Open treats a denied feature as absent unless
	// Config.AllowDenied.
	CoopMatDenied string `json:"coop_mat_denied,omitempty"`
	Float16Denied string `json:"float16_denied,omitempty"`
}

// DriverDescription names the device's driver, for the deny list's
// messages and `simclr-vk devices`: its name and VkDriverId where known,
// and the raw driver version.
func (info DeviceInfo) DriverDescription() string {
	s := info.DriverName
	if id := DriverIDName(info.DriverID); id != "" {
		if s != "" {
			s += ", "
		}
		s += id
	}
	if s != "" {
		s += ", "
	}
	return s + fmt.Sprintf("version %#x", info.DriverVersion)
}

// deviceTypes names the device types and orders them for the default
// choice: discrete > integrated > virtual > CPU > other (any type not
// listed).
var deviceTypes = map[vk.PhysicalDeviceType]struct {
	rank int
	name string
}{
	vk.PhysicalDeviceTypeDiscreteGpu:   {0, "discrete"},
	vk.PhysicalDeviceTypeIntegratedGpu: {1, "integrated"},
	vk.PhysicalDeviceTypeVirtualGpu:    {2, "virtual"},
	vk.PhysicalDeviceTypeCpu:           {3, "cpu"},
}

// typeRank is t's place in the default choice (lowest first).
func typeRank(t vk.PhysicalDeviceType) int {
	if d, ok := deviceTypes[t]; ok {
		return d.rank
	}
	return len(deviceTypes)
}

func typeName(t vk.PhysicalDeviceType) string {
	if d, ok := deviceTypes[t]; ok {
		return d.name
	}
	return "other"
}

func vendorName(id uint32) string {
	switch id {
	case 0x10de:
		return "NVIDIA"
	case 0x1002:
		return "AMD"
	case 0x8086:
		return "Intel"
	case 0x13b5:
		return "ARM"
	case 0x5143:
		return "Qualcomm"
	case 0x106b:
		return "Apple"
	case 0x10005:
		return "Mesa"
	}
	return fmt.Sprintf("0x%x", id)
}

func versionString(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v>>22, (v>>12)&0x3ff, v&0xfff)
}

// physInfo gathers the properties of one physical device.
func physInfo(in *instance, index int, pd vk.PhysicalDevice) (DeviceInfo, vk.PhysicalDeviceProperties, vk.PhysicalDeviceMemoryProperties) {
	var props vk.PhysicalDeviceProperties
	vk.GetPhysicalDeviceProperties(pd, &props)
	props.Deref()
	props.Limits.Deref()
	var mem vk.PhysicalDeviceMemoryProperties
	vk.GetPhysicalDeviceMemoryProperties(pd, &mem)
	mem.Deref()
	info := DeviceInfo{
		Index:                   index,
		Name:                    vk.ToString(props.DeviceName[:]),
		Type:                    typeName(props.DeviceType),
		VendorID:                props.VendorID,
		Vendor:                  vendorName(props.VendorID),
		DeviceID:                props.DeviceID,
		DriverVersion:           props.DriverVersion,
		APIVersion:              versionString(props.ApiVersion),
		MaxSharedMemory:         props.Limits.MaxComputeSharedMemorySize,
		MaxWorkGroupSize:        props.Limits.MaxComputeWorkGroupSize,
		MaxWorkGroupInvocations: props.Limits.MaxComputeWorkGroupInvocations,
		MaxWorkGroupCount:       props.Limits.MaxComputeWorkGroupCount,
	}
	for i := uint32(0); i < mem.MemoryHeapCount; i++ {
		mem.MemoryHeaps[i].Deref()
		info.HeapBytes = append(info.HeapBytes, uint64(mem.MemoryHeaps[i].Size))
		info.HeapDeviceLocal = append(info.HeapDeviceLocal, mem.MemoryHeaps[i].Flags&vk.MemoryHeapFlags(vk.MemoryHeapDeviceLocalBit) != 0)
	}
	for i := uint32(0); i < mem.MemoryTypeCount; i++ {
		mem.MemoryTypes[i].Deref()
	}
	withDriver := props.ApiVersion >= vk.MakeVersion(1, 2, 0)
	exts := deviceExtensions(pd)
	info.SubgroupSize, info.SubgroupOps, info.SubgroupStages, info.DriverName, info.DriverInfo, info.DriverID, info.ComputeUnits = extraProps(in.h, pd, withDriver, exts)
	info.CoopMat, info.CoopMatKernel, info.CoopMatMissing = coopMatInfo(in.h, pd, info, props.Limits, exts)
	info.Float16Storage, info.Float16StorageMissing = storage16Info(in.h, pd, props.ApiVersion)
	applyDenials(&info, DenyRules)
	return info, props, mem
}

// anyCoopMatDevice reports whether a physical device offers
// VK_KHR_cooperative_matrix (there the validation layer must know it).
func anyCoopMatDevice() bool {
	in, err := sharedInstance(false)
	if err != nil {
		return false
	}
	pds, err := in.physicalDevices()
	if err != nil {
		return false
	}
	for _, pd := range pds {
		if deviceExtensions(pd)["VK_KHR_cooperative_matrix"] {
			return true
		}
	}
	return false
}

// deviceExtensions is the set of a device's extension names, nil when the
// driver cannot list them.
func deviceExtensions(phys vk.PhysicalDevice) map[string]bool {
	var n uint32
	if vk.EnumerateDeviceExtensionProperties(phys, "", &n, nil) != vk.Success {
		return nil
	}
	exts := make([]vk.ExtensionProperties, n)
	if n > 0 && vk.EnumerateDeviceExtensionProperties(phys, "", &n, exts) != vk.Success {
		return nil
	}
	have := map[string]bool{}
	for i := range exts {
		exts[i].Deref()
		have[vk.ToString(exts[i].ExtensionName[:])] = true
	}
	return have
}

// Devices lists every Vulkan physical device, in enumeration order.
func Devices() ([]DeviceInfo, error) {
	in, err := sharedInstance(false)
	if err != nil {
		return nil, err
	}
	pds, err := in.physicalDevices()
	if err != nil {
		return nil, err
	}
	out := make([]DeviceInfo, len(pds))
	for i, pd := range pds {
		out[i], _, _ = physInfo(in, i, pd)
	}
	return out, nil
}

// defaultOrder returns device indices sorted discrete > integrated >
// virtual > CPU, stable in enumeration order.
func defaultOrder(types []vk.PhysicalDeviceType) []int {
	idx := make([]int, len(types))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return typeRank(types[idx[a]]) < typeRank(types[idx[b]]) })
	return idx
}
