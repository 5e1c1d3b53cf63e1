package vkrt

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void *simclrInstanceProc(void *instance, const char *name);

// VkPhysicalDevice16BitStorageFeatures (Vulkan 1.1 core).
typedef struct {
	uint32_t sType; void *pNext;
	uint32_t storageBuffer16BitAccess, uniformAndStorageBuffer16BitAccess, storagePushConstant16, storageInputOutput16;
} simclrStorage16Features;
typedef struct { uint32_t sType; void *pNext; uint32_t features[55]; } simclrStorage16Features2;
typedef void (*simclrStorage16GetFeatures2)(void *phys, simclrStorage16Features2 *f);

// simclrStorage16Query returns storageBuffer16BitAccess (0 or 1), or -1
// when vkGetPhysicalDeviceFeatures2 is missing.
static int simclrStorage16Query(void *inst, void *phys) {
	simclrStorage16GetFeatures2 f = (simclrStorage16GetFeatures2)simclrInstanceProc(inst, "vkGetPhysicalDeviceFeatures2");
	if (!f) return -1;
	simclrStorage16Features2 *f2 = calloc(1, sizeof *f2);
	simclrStorage16Features *s = calloc(1, sizeof *s);
	if (!f2 || !s) { free(f2); free(s); return -1; }
	f2->sType = 1000059000; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
	s->sType = 1000083000;  // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES
	f2->pNext = s;
	f(phys, f2);
	int r = s->storageBuffer16BitAccess != 0;
	free(f2); free(s);
	return r;
}

// simclrStorage16Enable returns the features struct with
// storageBuffer16BitAccess on, chained before next (free it after
// vkCreateDevice).
static void *simclrStorage16Enable(void *next) {
	simclrStorage16Features *s = calloc(1, sizeof *s);
	if (!s) return next;
	s->sType = 1000083000;
	s->pNext = next;
	s->storageBuffer16BitAccess = 1;
	return s;
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
)

// Float16 storage: tensors of engine.Float16 hold IEEE binary16 values, 2
// bytes an element, which the kernels load and store as uint16_t
// (GL_EXT_shader_16bit_storage) and convert with integer arithmetic
// (shaders/half.glsl), computing in float32. That needs only the Vulkan 1.1
// feature storageBuffer16BitAccess (VK_KHR_16bit_storage), not
// shaderFloat16: a device is created with it on wherever it has it. The
// exception: the cooperative-matrix convolution tiles' _f16 variants load
// float16_t into their float16 tiles, on devices that run cooperative
// matrices and so have shaderFloat16 enabled (coopmat.go); they rely on
// the multiply keeping float16 subnormals, which package vulkan checks at
// open (internal/conv: Ops.SelfCheck16) before routing float16
// convolutions to them.

// storage16Info says whether the physical device has
// storageBuffer16BitAccess, and when not why.
func storage16Info(inst vk.Instance, phys vk.PhysicalDevice, api uint32) (bool, string) {
	if api < vk.MakeVersion(1, 1, 0) {
		return false, fmt.Sprintf("Vulkan %s device (storageBuffer16BitAccess needs 1.1)", versionString(api))
	}
	switch C.simclrStorage16Query(unsafe.Pointer(inst), unsafe.Pointer(phys)) {
	case 1:
		return true, ""
	case 0:
		return false, "the device lacks the storageBuffer16BitAccess feature (VK_KHR_16bit_storage)"
	}
	return false, "vkGetPhysicalDeviceFeatures2 is missing"
}

// storage16DeviceChain enables storageBuffer16BitAccess in dci (ahead of
// any chain already there); call the returned function after
// vkCreateDevice. ok is false when the feature could not be chained (out
// of host memory): the device is then created without it.
func storage16DeviceChain(dci *vk.DeviceCreateInfo) (free func(), ok bool) {
	s := C.simclrStorage16Enable(dci.PNext)
	if s == dci.PNext {
		return func() {}, false
	}
	dci.PNext = s
	return func() { C.free(s) }, true
}

// storage16Off is the one decision on float16 storage, which Open (to
// enable storageBuffer16BitAccess and log an overridden denial),
// Float16Storage and NewFloat16 all take: "" when a device described by
// info is created with the feature, else why not, with denied true when
// the reason is the deny list's (info.Float16Denied, which allowDenied
// lifts). A device without the feature lacks it for that reason alone;
// one whose feature is denied reports the denial before turnedOff
// (Config.NoFloat16Storage).
func storage16Off(info DeviceInfo, turnedOff, allowDenied bool) (why string, denied bool) {
	switch {
	case !info.Float16Storage:
		if info.Float16StorageMissing == "" {
			return "the device lacks the storageBuffer16BitAccess feature", false
		}
		return info.Float16StorageMissing, false
	case info.Float16Denied != "" && !allowDenied:
		return info.Float16Denied, true
	case turnedOff:
		return "turned off (vkrt.Config.NoFloat16Storage)", false
	}
	return "", false
}

// storage16 reports whether the device is created (or was) with
// storageBuffer16BitAccess: storage16Off on the device.
func (d *Device) storage16() bool {
	why, _ := storage16Off(d.info, d.noFloat16Storage, d.allowDenied)
	return why == ""
}

// noStorage16 is nil when the device has float16 storage, else the error
// saying why not (storage16Off), without the package's prefix: a denial
// wraps engine.ErrFeatureDenied (refusal).
func (d *Device) noStorage16() error {
	why, denied := storage16Off(d.info, d.noFloat16Storage, d.allowDenied)
	switch {
	case why == "":
		return nil
	case denied:
		return refusal(d.info, "float16 storage", why, "--precision fp32")
	}
	return fmt.Errorf("no float16 storage on %q: %s", d.info.Name, why)
}

// Float16Storage is nil when the device was created with
// storageBuffer16BitAccess (NewFloat16 works), or says why not.
func (d *Device) Float16Storage() error {
	if err := d.noStorage16(); err != nil {
		return fmt.Errorf("engine/vulkan: %w", err)
	}
	return nil
}

// NewFloat16 is New for an engine.Float16 tensor: (n+1)/2 words, zeroed.
// Without float16 storage (Float16Storage) the tensor is unusable and the
// sticky error says why.
func (d *Device) NewFloat16(shape ...int) *engine.Tensor {
	return d.newTensorOf("NewFloat16", engine.Float16, true, shape)
}
