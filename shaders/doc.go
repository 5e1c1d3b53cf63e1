// Package shaders holds the GLSL compute shaders of the Vulkan backend
// (*.comp, one per op and pass: <op>_<pass>[_<variant>]), their SPIR-V
// (*.spv, generated and committed so that `go build` never needs glslc) and
// the generated manifest.json recording the sha256 and glslc options each
// .spv was built from.
//
// After editing a .comp run `go generate ./shaders` (tools/shadergen, which
// needs glslc). TestSPIRVUpToDate fails when a .spv is missing or stale.
//
// Every shader starts with a header comment giving its bindings, layout,
// dispatch grid, push constants and the CPU reference it must match.
package shaders
