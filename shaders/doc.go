// Package shaders holds the GLSL compute shaders of the Vulkan backend
// (*.comp, one per op and pass: <op>_<pass>[_<variant>]), their SPIR-V
// (*.spv, generated and committed so that `go build` never needs glslc) and
// the generated manifest.json recording the sha256 and glslc options each
// .spv was built from.
//
// After editing a .comp (or a .glsl it includes) run `go generate ./shaders`
// (tools/shadergen, which needs glslc and rebuilds only stale files).
// It also writes variants_gen.go, the variants of each source (its
// "// variant:" lines) as typed shaders.Variant values: Variants,
// VariantOf. TestSPIRVUpToDate fails when a .spv or that file is missing
// or stale. The cooperative-matrix variants
// (`needs=GL_KHR_cooperative_matrix` on their variant lines) need a newer glslc than Debian 12's, e.g. Debian 13's:
// run the generator with Debian 12's glslc first, then with the newer one,
// which then finds only those stale: tools/coopmat-chroot.sh sets up a
// Debian 13 chroot sharing this checkout (with a lavapipe that runs the
// cooperative-matrix tests) and runs commands in it.
//
// Every shader starts with a header comment giving its bindings, layout,
// dispatch grid, push constants and the CPU reference it must match.
// What several shaders share is written once in a *.glsl include (the
// manifest hash of a .comp covers the files it includes): a push-constant
// block that kernels of one Go struct share (<family>_push.glsl), a
// family's layout lines and specialization constants, statement macros
// (index decode, bounds checks) and statement fragments. Includes expand
// as text and macros as tokens, so a kernel compiles as if it spelt them
// out: tools/spirvcmp.sh checks that such a refactor leaves every .spv the
// same after spirv-opt --strip-debug, and tools/shaderdups.sh counts the
// duplicate pairs left among the GLSL sources (issue #20).
package shaders
