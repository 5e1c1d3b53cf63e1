package vkrt

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// instance is a VkInstance plus, with validation, the debug-report callback.
type instance struct {
	h        vk.Instance
	validate bool
	callback vk.DebugReportCallback
	shared   bool // one of sharedInstance's: never destroyed
}

// Open and Devices share one VkInstance per kind (validating or not, and
// the loader's driver selection from the environment) for the life of the
// process, never destroyed. Creating and destroying instances many times
// in one process breaks NVIDIA's driver: on an H200 (driver 580.159) the
// test suite's vkCreateInstance began to return
// VK_ERROR_INCOMPATIBLE_DRIVER partway through, for every later Device of
// that process, and others report SubgroupLocalInvocationId corrupted after
// about a dozen cycles. An idle instance holds next to nothing; the logical
// device, which owns the memory, is still created and destroyed per Device.
var (
	instMu    sync.Mutex
	instances = map[instanceKey]*instance{}
)

type instanceKey struct {
	validate         bool
	driverFiles, icd string // VK_DRIVER_FILES, VK_ICD_FILENAMES at creation
}

// sharedInstance returns the process's instance of that kind, creating it
// on first use.
func sharedInstance(validate bool) (*instance, error) {
	key := instanceKey{validate, os.Getenv("VK_DRIVER_FILES"), os.Getenv("VK_ICD_FILENAMES")}
	instMu.Lock()
	defer instMu.Unlock()
	if in := instances[key]; in != nil {
		return in, nil
	}
	in, err := newInstance(validate)
	if err != nil {
		return nil, err
	}
	in.shared = true
	instances[key] = in
	return in, nil
}

// Validation messages: the binding supports one debug-report callback per
// process, so every validating Device registers a sink here and the one
// callback appends each message (copied out of C memory) to every sink.
var (
	sinkMu       sync.Mutex
	sinks        = map[*msgSink]struct{}{}
	callbackOnce sync.Once
)

type msgSink struct {
	mu   sync.Mutex
	msgs []string
}

func (s *msgSink) add(m string) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
}

func (s *msgSink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

func debugCallback(flags vk.DebugReportFlags, objectType vk.DebugReportObjectType, object uint64, location uint, messageCode int32, pLayerPrefix string, pMessage string, pUserData unsafe.Pointer) vk.Bool32 {
	msg := fmt.Sprintf("[%s] %s", strings.Clone(pLayerPrefix), strings.Clone(pMessage))
	sinkMu.Lock()
	for s := range sinks {
		s.add(msg)
	}
	sinkMu.Unlock()
	return vk.False
}

const validationLayer = "VK_LAYER_KHRONOS_validation"

func hasLayer(name string) bool {
	_, ok := layerSpecVersion(name)
	return ok
}

// layerSpecVersion is the Vulkan header version an installed layer was
// built against (the extensions it knows), false when it is not installed.
func layerSpecVersion(name string) (uint32, bool) {
	var n uint32
	if vk.EnumerateInstanceLayerProperties(&n, nil) != vk.Success || n == 0 {
		return 0, false
	}
	props := make([]vk.LayerProperties, n)
	if vk.EnumerateInstanceLayerProperties(&n, props) != vk.Success {
		return 0, false
	}
	for i := range props {
		props[i].Deref()
		if vk.ToString(props[i].LayerName[:]) == name {
			return props[i].SpecVersion, true
		}
	}
	return 0, false
}

// coopMatLayerVersion is the header version that introduced
// VK_KHR_cooperative_matrix: an older validation layer rejects the
// extension's feature struct and SPIR-V capability as unknown (Debian 12's
// 1.3.239 does), so it cannot validate the cooperative-matrix path.
var coopMatLayerVersion = vk.MakeVersion(1, 3, 255)

// newInstance creates a Vulkan 1.1 instance, with the Khronos validation
// layer and a debug-report callback feeding sink when validate is set.
func newInstance(validate bool) (*instance, error) {
	if err := load(); err != nil {
		return nil, err
	}
	app := &vk.ApplicationInfo{
		SType:              vk.StructureTypeApplicationInfo,
		PApplicationName:   "simclr-vk\x00",
		ApplicationVersion: vk.MakeVersion(0, 1, 0),
		PEngineName:        "simclr-vk\x00",
		EngineVersion:      vk.MakeVersion(0, 1, 0),
		ApiVersion:         vk.MakeVersion(1, 1, 0),
	}
	ci := &vk.InstanceCreateInfo{
		SType:            vk.StructureTypeInstanceCreateInfo,
		PApplicationInfo: app,
	}
	if validate {
		if !hasLayer(validationLayer) {
			return nil, fmt.Errorf("engine/vulkan: validation requested but layer %s is not installed (Debian: vulkan-validationlayers)", validationLayer)
		}
		ci.EnabledLayerCount = 1
		ci.PpEnabledLayerNames = []string{validationLayer + "\x00"}
		ci.EnabledExtensionCount = 1
		ci.PpEnabledExtensionNames = []string{"VK_EXT_debug_report\x00"}
	}
	var h vk.Instance
	res := vk.CreateInstance(ci, nil, &h)
	ci.Free()
	app.Free()
	if res != vk.Success {
		hint := ""
		if res == vk.ErrorIncompatibleDriver {
			hint = " (no usable Vulkan driver: install one, e.g. mesa-vulkan-drivers for lavapipe, or point VK_DRIVER_FILES at its ICD json" +
				", e.g. VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json)"
		}
		return nil, fmt.Errorf("engine/vulkan: vkCreateInstance: %w%s", vk.Error(res), hint)
	}
	if err := vk.InitInstance(h); err != nil {
		vk.DestroyInstance(h, nil)
		return nil, fmt.Errorf("engine/vulkan: InitInstance: %w", err)
	}
	in := &instance{h: h, validate: validate}
	if validate {
		dci := &vk.DebugReportCallbackCreateInfo{
			SType:       vk.StructureTypeDebugReportCallbackCreateInfo,
			Flags:       vk.DebugReportFlags(vk.DebugReportErrorBit | vk.DebugReportWarningBit | vk.DebugReportPerformanceWarningBit),
			PfnCallback: debugCallback,
		}
		var cb vk.DebugReportCallback
		res := vk.CreateDebugReportCallback(h, dci, nil, &cb)
		dci.Free()
		if res != vk.Success {
			vk.DestroyInstance(h, nil)
			return nil, fmt.Errorf("engine/vulkan: vkCreateDebugReportCallbackEXT: %w", vk.Error(res))
		}
		in.callback = cb
	}
	return in, nil
}

// destroy frees an instance of newInstance's own; a second call, or one
// on a shared instance, does nothing.
func (in *instance) destroy() {
	if in.h == nil || in.shared {
		return
	}
	if in.callback != vk.NullDebugReportCallback {
		vk.DestroyDebugReportCallback(in.h, in.callback, nil)
		in.callback = vk.NullDebugReportCallback
	}
	vk.DestroyInstance(in.h, nil)
	in.h = nil
}

func (in *instance) physicalDevices() ([]vk.PhysicalDevice, error) {
	var n uint32
	if res := vk.EnumeratePhysicalDevices(in.h, &n, nil); res != vk.Success {
		return nil, fmt.Errorf("engine/vulkan: vkEnumeratePhysicalDevices: %w", vk.Error(res))
	}
	if n == 0 {
		return nil, fmt.Errorf("engine/vulkan: no Vulkan device found (install a driver, or set VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json for lavapipe)")
	}
	devs := make([]vk.PhysicalDevice, n)
	if res := vk.EnumeratePhysicalDevices(in.h, &n, devs); res != vk.Success {
		return nil, fmt.Errorf("engine/vulkan: vkEnumeratePhysicalDevices: %w", vk.Error(res))
	}
	return devs[:n], nil
}

// ValidationAvailable reports whether the Vulkan loader offers the Khronos
// validation layer (Options.Validate needs it), wherever it is installed
// (the standard manifest folders, VK_LAYER_PATH, VK_ADD_LAYER_PATH).
func ValidationAvailable() bool { return load() == nil && hasLayer(validationLayer) }

// envValidate reports whether SIMCLR_VK_VALIDATE=1 asks for validation.
func envValidate() bool { return os.Getenv("SIMCLR_VK_VALIDATE") == "1" }
