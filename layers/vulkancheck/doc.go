// Package vulkancheck runs the model-level checks of layers/layerstest on
// the Vulkan backend (lavapipe in CI, with the validation layer on): the
// tiny SimCLR network against the CPU backend, memory across steps and a
// training smoke test. It is separate from package layers so that the
// layers tests do not link the Vulkan backend. Without a Vulkan device
// the tests skip, unless CI=true or SIMCLR_VK_REQUIRE=1. It holds tests
// only; the helpers that open Vulkan devices for tests are in
// engine/vulkan/vulkantest, and those shared by the model checks in
// layers/layerstest.
package vulkancheck
