// Command shadergen compiles the GLSL compute shaders in shaders/*.comp to
// SPIR-V with glslc and writes the generated manifest (shaders/manifest.json)
// that records, per .spv, its source, the sha256 of the source and the exact
// compile options. It is the one shader build step: `go generate ./shaders`
// runs it, and build.sh calls the same command.
//
// A source compiles to <name>.spv, or, when it has lines of the form
//
//	// variant: <suffix> -DNAME=VALUE ...
//
// to one <name>_<suffix>.spv per line with those extra options. Shaders must
// not #include other files (the manifest hashes only the source itself).
//
// Usage (from the repository root or the shaders directory; go generate
// runs it in shaders/ with -dir .):
//
//	go run simclr-vk/tools/shadergen [-dir shaders] [-glslc glslc] [-check]
//
// -check writes nothing and exits non-zero when a .spv is missing or its
// source or options changed since it was generated (hashes, no glslc
// needed), or, where glslc is installed, when a source does not compile.
package main
