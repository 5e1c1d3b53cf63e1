package vkrt

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void (*simclrVoidFn)(void);
typedef simclrVoidFn (*simclrGetInstanceProcAddr)(void *instance, const char *name);

static void *simclrLib;
static simclrGetInstanceProcAddr simclrGIPA;

// simclrLoad dlopens the Vulkan loader (libvulkan.so.1, the runtime package's
// name) and returns vkGetInstanceProcAddr, or NULL with the dlerror text.
static void *simclrLoad(const char **err) {
	if (simclrGIPA) return (void *)simclrGIPA;
	simclrLib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!simclrLib) { *err = dlerror(); return NULL; }
	simclrGIPA = (simclrGetInstanceProcAddr)dlsym(simclrLib, "vkGetInstanceProcAddr");
	if (!simclrGIPA) { *err = dlerror(); return NULL; }
	return (void *)simclrGIPA;
}

// Minimal mirrors of the Vulkan 1.1/1.2 structs the binding cannot fill.
typedef struct {
	uint32_t sType; void *pNext;
	uint32_t subgroupSize, supportedStages, supportedOperations, quadOperationsInAllStages;
} simclrSubgroupProps;
typedef struct {
	uint32_t sType; void *pNext;
	uint32_t driverID; char driverName[256]; char driverInfo[256]; uint8_t conformance[4];
} simclrDriverProps;
typedef struct {
	uint32_t sType; void *pNext;
	uint8_t properties[4096]; // VkPhysicalDeviceProperties is ~824 bytes
} simclrProps2;
// VK_NV_shader_sm_builtins and VK_AMD_shader_core_properties.
typedef struct { uint32_t sType; void *pNext; uint32_t shaderSMCount, shaderWarpsPerSM; } simclrSMBuiltinsNV;
typedef struct {
	uint32_t sType; void *pNext;
	uint32_t shaderEngineCount, shaderArraysPerEngineCount, computeUnitsPerShaderArray, rest[11];
} simclrCorePropsAMD;
typedef struct { uint32_t sType; void *pNext; uint32_t shaderCoreFeatures, activeComputeUnitCount; } simclrCoreProps2AMD;

// simclrInstanceProc is vkGetInstanceProcAddr(instance, name) for the
// other cgo files of the package (coopmat.go), NULL before simclrLoad.
void *simclrInstanceProc(void *instance, const char *name) {
	if (!simclrGIPA) return NULL;
	return (void *)simclrGIPA(instance, name);
}

typedef void (*simclrGetProps2)(void *physicalDevice, simclrProps2 *props);

// simclrProps calls vkGetPhysicalDeviceProperties2 (Vulkan 1.1) with
// VkPhysicalDeviceSubgroupProperties (and VkPhysicalDeviceDriverProperties
// when withDriver, the NVIDIA SM or AMD shader-core properties (1 and 2)
// when nv / amd / amd2: the device lists their extension) chained; returns
// the subgroup size, or 0 if the function is missing; *units is the SM or
// compute-unit count (0 when none is asked for): AMD's active count where
// shader_core_properties2 gives it (harvested chips have fewer than their
// engines x arrays x CUs per array).
static uint32_t simclrProps(void *instance, void *phys, int withDriver, int nv, int amd, int amd2, char *driverName, char *driverInfo, uint32_t *driverID, uint32_t *ops, uint32_t *stages, uint32_t *units) {
	*units = 0; *driverID = 0;
	if (!simclrGIPA) return 0;
	simclrGetProps2 fn = (simclrGetProps2)simclrGIPA(instance, "vkGetPhysicalDeviceProperties2");
	if (!fn) fn = (simclrGetProps2)simclrGIPA(instance, "vkGetPhysicalDeviceProperties2KHR");
	if (!fn) return 0;
	simclrProps2 *p = calloc(1, sizeof *p);
	simclrSubgroupProps *s = calloc(1, sizeof *s);
	simclrDriverProps *d = calloc(1, sizeof *d);
	simclrSMBuiltinsNV *sm = calloc(1, sizeof *sm);
	simclrCorePropsAMD *cp = calloc(1, sizeof *cp);
	simclrCoreProps2AMD *cp2 = calloc(1, sizeof *cp2);
	p->sType = 1000059001; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
	s->sType = 1000094000; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES
	d->sType = 1000196000; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES
	sm->sType = 1000154001; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_SM_BUILTINS_PROPERTIES_NV
	cp->sType = 1000185000; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_CORE_PROPERTIES_AMD
	cp2->sType = 1000227000; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_CORE_PROPERTIES_2_AMD
	void **next = &p->pNext;
	*next = s; next = &s->pNext;
	if (withDriver) { *next = d; next = &d->pNext; }
	if (nv) { *next = sm; next = &sm->pNext; }
	if (amd) { *next = cp; next = &cp->pNext; }
	if (amd2) { *next = cp2; next = &cp2->pNext; }
	fn(phys, p);
	if (nv) *units = sm->shaderSMCount;
	if (amd) *units = cp->shaderEngineCount * cp->shaderArraysPerEngineCount * cp->computeUnitsPerShaderArray;
	if (amd2 && cp2->activeComputeUnitCount) *units = cp2->activeComputeUnitCount;
	uint32_t size = s->subgroupSize;
	*ops = s->supportedOperations;
	*stages = s->supportedStages;
	if (withDriver) {
		memcpy(driverName, d->driverName, 256);
		memcpy(driverInfo, d->driverInfo, 256);
		driverName[255] = 0; driverInfo[255] = 0;
		*driverID = d->driverID;
	}
	free(p); free(s); free(d); free(sm); free(cp); free(cp2);
	return size;
}
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

var (
	loadOnce sync.Once
	loadErr  error
)

// load opens libvulkan.so.1, hands vkGetInstanceProcAddr to the binding and
// runs vk.Init once per process.
func load() error {
	loadOnce.Do(func() {
		var cerr *C.char
		p := C.simclrLoad(&cerr)
		if p == nil {
			msg := "unknown error"
			if cerr != nil {
				msg = C.GoString(cerr)
			}
			loadErr = fmt.Errorf("engine/vulkan: cannot load the Vulkan loader libvulkan.so.1 (install libvulkan1 and a driver, e.g. mesa-vulkan-drivers): %s", msg)
			return
		}
		vk.SetGetInstanceProcAddr(p)
		if err := vk.Init(); err != nil {
			loadErr = fmt.Errorf("engine/vulkan: vk.Init: %w", err)
		}
	})
	return loadErr
}

// extraProps returns the subgroup size (0 if unknown), the supported
// subgroup operations (VkSubgroupFeatureFlags) and stages, when the
// device supports Vulkan 1.2 the driver name, info and VkDriverId, and the number of
// SMs (NVIDIA, VK_NV_shader_sm_builtins) or compute units (AMD,
// VK_AMD_shader_core_properties, the active ones from
// VK_AMD_shader_core_properties2) where the device lists that extension in
// exts, else 0.
func extraProps(inst vk.Instance, phys vk.PhysicalDevice, withDriver bool, exts map[string]bool) (subgroup, ops, stages uint32, driverName, driverInfo string, driverID uint32, units int) {
	var name, info [256]C.char
	var cops, cstages, cunits, cid C.uint32_t
	b := func(v bool) C.int {
		if v {
			return 1
		}
		return 0
	}
	nv, amd, amd2 := exts["VK_NV_shader_sm_builtins"], exts["VK_AMD_shader_core_properties"], exts["VK_AMD_shader_core_properties2"]
	s := C.simclrProps(unsafe.Pointer(inst), unsafe.Pointer(phys), b(withDriver), b(nv), b(amd && !nv), b(amd2 && !nv), &name[0], &info[0], &cid, &cops, &cstages, &cunits)
	if withDriver {
		driverName = C.GoString(&name[0])
		driverInfo = C.GoString(&info[0])
		driverID = uint32(cid)
	}
	return uint32(s), uint32(cops), uint32(cstages), driverName, driverInfo, driverID, int(cunits)
}
