package vkrt

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void *simclrInstanceProc(void *instance, const char *name);

// Mirrors of the structs of VK_KHR_cooperative_matrix,
// VK_KHR_shader_float16_int8 and VK_KHR_vulkan_memory_model (Vulkan
// 1.3.255 headers); the vendored binding's headers (1.1.88) predate them.
typedef struct {
	uint32_t sType; void *pNext;
	uint32_t mSize, nSize, kSize, aType, bType, cType, resultType, saturatingAccumulation, scope;
} simclrCoopMatProps;
typedef struct { uint32_t sType; void *pNext; uint32_t cooperativeMatrix, robustBufferAccess; } simclrCoopMatFeatures;
typedef struct { uint32_t sType; void *pNext; uint32_t shaderFloat16, shaderInt8; } simclrFloat16Features;
typedef struct { uint32_t sType; void *pNext; uint32_t vulkanMemoryModel, deviceScope, availabilityVisibilityChains; } simclrMemoryModelFeatures;
typedef struct { uint32_t sType; void *pNext; uint32_t features[55]; } simclrFeatures2;
// One allocation holding the three feature structs, chained.
typedef struct { simclrCoopMatFeatures cm; simclrFloat16Features f16; simclrMemoryModelFeatures mm; } simclrCoopMatChain;

static void simclrCoopMatChainInit(simclrCoopMatChain *c, int enable) {
	memset(c, 0, sizeof *c);
	c->cm.sType = 1000506000;  // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR
	c->f16.sType = 1000082000; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES
	c->mm.sType = 1000211000;  // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES
	c->cm.pNext = &c->f16;
	c->f16.pNext = &c->mm;
	if (enable) {
		c->cm.cooperativeMatrix = 1;
		c->f16.shaderFloat16 = 1;
		c->mm.vulkanMemoryModel = 1;
		c->mm.deviceScope = 1; // absmax.comp's atomics use Device scope
	}
}

// simclrCoopMatChainNew returns the chain with the three features enabled,
// for VkDeviceCreateInfo.pNext (free it after vkCreateDevice).
static void *simclrCoopMatChainNew(void) {
	simclrCoopMatChain *c = malloc(sizeof *c);
	if (c) simclrCoopMatChainInit(c, 1);
	return c;
}

typedef void (*simclrGetFeatures2)(void *phys, simclrFeatures2 *f);
typedef int32_t (*simclrGetCoopMatProps)(void *phys, uint32_t *count, simclrCoopMatProps *props);

// simclrCoopMatQuery fills feat[4] (cooperativeMatrix, shaderFloat16,
// vulkanMemoryModel, vulkanMemoryModelDeviceScope) and up to max entries of 9 words (M, N, K, A, B, C,
// result types, saturating, scope) of the supported cooperative matrix
// shapes; returns the number of shapes, or -1 when a function is missing
// or fails. Call it only on devices that list the three extensions.
static int simclrCoopMatQuery(void *inst, void *phys, uint32_t *feat, uint32_t *out, int max) {
	simclrGetFeatures2 f = (simclrGetFeatures2)simclrInstanceProc(inst, "vkGetPhysicalDeviceFeatures2");
	if (!f) f = (simclrGetFeatures2)simclrInstanceProc(inst, "vkGetPhysicalDeviceFeatures2KHR");
	simclrGetCoopMatProps p = (simclrGetCoopMatProps)simclrInstanceProc(inst, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR");
	if (!f || !p) return -1;
	simclrFeatures2 *f2 = calloc(1, sizeof *f2);
	simclrCoopMatChain *c = malloc(sizeof *c);
	if (!f2 || !c) { free(f2); free(c); return -1; }
	simclrCoopMatChainInit(c, 0);
	f2->sType = 1000059000; // VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
	f2->pNext = c;
	f(phys, f2);
	feat[0] = c->cm.cooperativeMatrix;
	feat[1] = c->f16.shaderFloat16;
	feat[2] = c->mm.vulkanMemoryModel;
	feat[3] = c->mm.deviceScope;
	free(f2); free(c);
	uint32_t n = 0;
	if (p(phys, &n, NULL) != 0) return -1;
	simclrCoopMatProps *ps = calloc(n ? n : 1, sizeof *ps);
	if (!ps) return -1;
	for (uint32_t i = 0; i < n; i++) ps[i].sType = 1000506001; // VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR
	int32_t r = p(phys, &n, ps);
	if (r < 0) { free(ps); return -1; }
	int k = 0;
	for (uint32_t i = 0; i < n && k < max; i++, k++) {
		uint32_t *o = out + 9 * k;
		o[0] = ps[i].mSize; o[1] = ps[i].nSize; o[2] = ps[i].kSize;
		o[3] = ps[i].aType; o[4] = ps[i].bType; o[5] = ps[i].cType; o[6] = ps[i].resultType;
		o[7] = ps[i].saturatingAccumulation; o[8] = ps[i].scope;
	}
	free(ps);
	return k;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Cooperative matrices (VK_KHR_cooperative_matrix): an optional fast path
// for the matrix products (GEMM and the tiled implicit-GEMM
// convolutions), with float16 inputs and float32 accumulation, on the
// tensor cores / matrix engines of GPUs that have them. It changes results
// (each input rounded to 11 significant bits, after a power-of-two scaling
// per input tensor that keeps float16's range out of the way:
// internal/gemm: Ops.CoopMatMax, absmax.comp), so it runs only when asked for
// (Options.CoopMat "on" or "auto"; the default is exact float32) and only
// on devices with subgroups of 32 or 64 lanes that report the 16x16x16
// float16 x float16 + float32 shape at subgroup scope (GPUs), or of 8
// lanes with the 8x8x8 one (lavapipe in Mesa 26.1; 25.0 has none): the compiled
// variants "cm_s<lanes>" (shaders/coopmat_tile.glsl).

// ErrCoopMatUnsupported is returned by Open for CoopMat "on" on a device
// without usable cooperative matrices.
var ErrCoopMatUnsupported = errors.New("cooperative matrices not supported")

// ErrCoopMatSelfCheck is returned by Open for CoopMat "on" when the device
// reports usable cooperative matrices but the kernels fail their check
// (internal/gemm: Ops.SelfCheck): a driver or kernel bug, not a missing feature, so
// tests fail on it instead of skipping.
var ErrCoopMatSelfCheck = errors.New("cooperative-matrix self-check failed")

// coopMatExtensions are enabled on the device for the cooperative-matrix
// kernels: glslang's SPIR-V for them needs Float16 arithmetic and the
// Vulkan memory model (with device scope, which, once the memory model is
// on, absmax.comp's atomics need).
var coopMatExtensions = []string{"VK_KHR_cooperative_matrix", "VK_KHR_shader_float16_int8", "VK_KHR_vulkan_memory_model"}

// coopMatSubgroups are the subgroup sizes with a compiled variant.
var coopMatSubgroups = []uint32{8, 32, 64}

// coopMatComponent names VkComponentTypeKHR values.
func coopMatComponent(t uint32) string {
	switch t {
	case 0:
		return "f16"
	case 1:
		return "f32"
	case 2:
		return "f64"
	case 3, 4, 5, 6:
		return fmt.Sprintf("s%d", 8<<(t-3))
	case 7, 8, 9, 10:
		return fmt.Sprintf("u%d", 8<<(t-7))
	}
	return fmt.Sprintf("type%d", t)
}

// coopMatInfo lists the device's cooperative matrix shapes as
// "MxNxK A*B+C->R" (subgroup scope only) and says whether the kernels here
// can run on it: the variant suffix ("cm_s32"), or "" and why not.
func coopMatInfo(inst vk.Instance, phys vk.PhysicalDevice, info DeviceInfo, limits vk.PhysicalDeviceLimits, have map[string]bool) (shapes []string, variant, why string) {
	if have == nil {
		return nil, "", "cannot list the device extensions"
	}
	for _, e := range coopMatExtensions {
		if !have[e] {
			return nil, "", "no " + e
		}
	}
	var feat [4]C.uint32_t
	var raw [64 * 9]C.uint32_t
	k := int(C.simclrCoopMatQuery(unsafe.Pointer(inst), unsafe.Pointer(phys), &feat[0], &raw[0], 64))
	if k < 0 {
		return nil, "", "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR failed"
	}
	const scopeSubgroup = 3
	frag := uint32(16) // the variant's fragment shape
	if info.SubgroupSize == 8 {
		frag = 8
	}
	found := false
	for i := 0; i < k; i++ {
		w := raw[9*i : 9*i+9]
		if w[8] != scopeSubgroup {
			continue
		}
		shapes = append(shapes, fmt.Sprintf("%dx%dx%d %s*%s+%s->%s", w[0], w[1], w[2],
			coopMatComponent(uint32(w[3])), coopMatComponent(uint32(w[4])), coopMatComponent(uint32(w[5])), coopMatComponent(uint32(w[6]))))
		if uint32(w[0]) == frag && uint32(w[1]) == frag && uint32(w[2]) == frag && w[3] == 0 && w[4] == 0 && w[5] == 1 && w[6] == 1 && w[7] == 0 {
			found = true
		}
	}
	switch {
	case feat[0] == 0 || feat[1] == 0 || feat[2] == 0 || feat[3] == 0:
		return shapes, "", "the cooperativeMatrix, shaderFloat16, vulkanMemoryModel and vulkanMemoryModelDeviceScope features are not all supported"
	case !slices.Contains(coopMatSubgroups, info.SubgroupSize):
		return shapes, "", fmt.Sprintf("subgroup size %d (the kernels are built for 8, 32 and 64)", info.SubgroupSize)
	case !found:
		return shapes, "", fmt.Sprintf("no %dx%dx%d f16*f16+f32->f32 shape at subgroup scope (the kernel for subgroups of %d)", frag, frag, frag, info.SubgroupSize)
	case info.SubgroupStages&0x20 == 0:
		return shapes, "", "no subgroup operations in compute shaders"
	}
	v := fmt.Sprintf("cm_s%d", info.SubgroupSize)
	if wg := CoopMatWG(v, 128); wg > int(limits.MaxComputeWorkGroupInvocations) || wg > int(limits.MaxComputeWorkGroupSize[0]) ||
		CoopMatShared(v, 128, 16, false) > int(limits.MaxComputeSharedMemorySize) {
		return shapes, "", fmt.Sprintf("%s needs %d invocations and %d bytes of shared memory per workgroup", v, wg, CoopMatShared(v, 128, 16, false))
	}
	return shapes, v, ""
}

// CoopMatWG is the workgroup size of a cm_s<lanes> tile bm rows by 128
// (the variant lines in the shaders): 128 invocations for 64-row tiles and
// for s8 (16 subgroups of 8 lanes), else 256 (8 subgroups of 32, 4 of 64).
func CoopMatWG(v string, bm int) int {
	if v == "cm_s8" || bm == 64 {
		return 128
	}
	return 256
}

// CoopMatShared is the shared memory of a 128-column cooperative-matrix
// tile bm rows by bk deep (128x128 with bk 16 unless said otherwise):
// bm x (bk+8) and bk x (128+8) float16 tiles (twice when double-buffered),
// and one float32 fragment per subgroup for the epilogue (8x8 for s8,
// else 16x16).
func CoopMatShared(v string, bm, bk int, db bool) int {
	lanes := map[string]int{"cm_s8": 8, "cm_s32": 32, "cm_s64": 64}[v]
	if lanes == 0 {
		return math.MaxInt32 // no such variant
	}
	frag, bufs := 16, 1
	if lanes == 8 {
		frag = 8
	}
	if db {
		bufs = 2
	}
	return 2*(bm*(bk+8)+bk*136)*bufs + 4*frag*frag*CoopMatWG(v, bm)/lanes
}

// CoopMatMode resolves Options.CoopMat and SIMCLR_VK_COOPMAT (which wins):
// "off" (default), "auto" (on GPUs that support it) or "on" (an error
// where unsupported).
func CoopMatMode(opt string) (string, error) {
	mode := strings.TrimSpace(opt)
	if env := os.Getenv("SIMCLR_VK_COOPMAT"); env != "" {
		mode = env
	}
	switch mode {
	case "", "off", "0", "false":
		return "off", nil
	case "auto":
		return "auto", nil
	case "on", "1", "true":
		return "on", nil
	}
	return "", fmt.Errorf("engine/vulkan: CoopMat %q (Options.CoopMat or SIMCLR_VK_COOPMAT): want off, auto or on", mode)
}

// coopMatDeviceChain enables the extensions and features of the
// cooperative-matrix kernels in dci; call the returned function after
// vkCreateDevice.
func coopMatDeviceChain(dci *vk.DeviceCreateInfo) func() {
	chain := C.simclrCoopMatChainNew()
	dci.PNext = chain
	dci.EnabledExtensionCount = uint32(len(coopMatExtensions))
	dci.PpEnabledExtensionNames = make([]string, len(coopMatExtensions))
	for i, e := range coopMatExtensions {
		dci.PpEnabledExtensionNames[i] = e + "\x00"
	}
	return func() { C.free(chain) }
}

// Sizes of the struct mirrors, for TestCoopMatStructSizes.
func coopMatPropsSize() uintptr       { return C.sizeof_simclrCoopMatProps }
func coopMatFeaturesSize() uintptr    { return C.sizeof_simclrCoopMatFeatures }
func coopMatFloat16Size() uintptr     { return C.sizeof_simclrFloat16Features }
func coopMatMemoryModelSize() uintptr { return C.sizeof_simclrMemoryModelFeatures }
func coopMatFeatures2Size() uintptr   { return C.sizeof_simclrFeatures2 }
