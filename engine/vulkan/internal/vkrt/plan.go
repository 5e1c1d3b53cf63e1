package vkrt

import (
	"math"

	vk "github.com/vulkan-go/vulkan"
)

// Device facts the plans of several op families share: pure functions of
// the device's properties, so plan tests can pass made-up ones.

// LoopBudget is the number of loop iterations one invocation may run in
// total on a device of info. llvmpipe (lavapipe) stops every loop of an
// invocation once 65535 iterations have run, summed over all the shader's
// loops (gallivm's LP_MAX_TGSI_LOOP_ITERATIONS): longer loops silently give
// wrong results. Kernels whose loop counts grow with the data split their
// work (or refuse) to stay within it; a margin is left for the small loops.
// Other devices have no such limit.
func LoopBudget(info DeviceInfo) int {
	if info.Type == "cpu" {
		return 60000
	}
	return math.MaxInt32
}

// ReduceLocal is the workgroup size of the shared-memory tree reductions
// that one workgroup runs over a whole vector (lars_norms / lars_step,
// ntxent_loss of NTXentUnfused): 256 on GPUs, 64 on CPU devices (lavapipe:
// fewer coroutine switches per barrier), halved to fit
// maxComputeWorkGroupInvocations; always a power of two.
func ReduceLocal(info DeviceInfo, limit vk.PhysicalDeviceLimits) int {
	local := 256
	if info.Type == "cpu" {
		local = 64
	}
	for local > int(limit.MaxComputeWorkGroupInvocations) {
		local /= 2
	}
	return local
}

// FillGroups estimates how many workgroups of 256 invocations a device
// runs at once: 4 per compute unit. Core Vulkan does not report the number
// of compute units; NVIDIA's VK_NV_shader_sm_builtins and AMD's
// VK_AMD_shader_core_properties do (DeviceInfo.ComputeUnits), elsewhere
// this assumes 128 for discrete GPUs (H100 / H200: 132 SMs; RTX 4090: 128)
// and 16 for integrated or virtual ones. The split-K filter gradient asks
// for 2x this many workgroups, the split batch norm for 4x (lighter
// workgroups).
func FillGroups(info DeviceInfo) int {
	if info.ComputeUnits > 0 && info.Type != "cpu" {
		return info.ComputeUnits * 4
	}
	switch info.Type {
	case "discrete":
		return 128 * 4
	case "cpu":
		return 4
	}
	return 16 * 4
}
