// Package vulkantest opens Vulkan devices for tests, the same way in every
// package: lavapipe when no driver gives a device, the validation layer on
// wherever it is installed (always under CI), a skip without Vulkan unless
// CI=true or SIMCLR_VK_REQUIRE=1 make that a failure, and a failure at
// cleanup for any validation message.
package vulkantest
