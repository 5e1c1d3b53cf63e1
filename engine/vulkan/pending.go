package vulkan

// TEMPORARY during the initial build-out: each op family deletes its
// methods from this file as it lands (engine/vulkan/<family>.go). This file
// must be gone before release.

import "simclr-vk/engine"
