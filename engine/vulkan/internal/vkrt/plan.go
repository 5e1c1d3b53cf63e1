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
