// Package shaderspec is the shared logic of tools/shadergen and the
// staleness test in shaders/: which .spv each shaders/*.comp source gives,
// with which glslc options, and the manifest that records them.
package shaderspec
