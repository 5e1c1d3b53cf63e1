// Package layerstest holds the model-level checks every backend runs, in
// the spirit of engine/conformance: a tiny SimCLR network, device memory
// that must not grow across steps, a training smoke test whose loss must
// fall, and a comparison of loss, gradients, BN statistics, parameters
// after 3 LARS steps and eval-mode features against a reference backend
// (the CPU). layers' own tests run them on the CPU backend,
// layers/vulkancheck on Vulkan.
package layerstest
