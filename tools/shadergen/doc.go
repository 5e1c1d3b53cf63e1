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
// to one <name>_<suffix>.spv per line with those extra options. A word
// needs=<GLSL extension> on a variant line marks a variant that only newer
// glslc versions compile (the cooperative-matrix variants need
// GL_KHR_cooperative_matrix: Debian 13's glslc has it, Debian 12's does
// not): with a glslc that lacks it, generation keeps the committed .spv and
// fails only if it is stale, and -check skips its compile check.
//
// It also writes shaders/variants_gen.go (package shaders): every
// variant with its -D defines as typed fields of shaders.Variant (BM, BN,
// BK, TM, TN, DB, V4, SplitK, the cooperative-matrix CM_* ...), so that
// engine/vulkan takes a variant's geometry from its variant line; a define
// without a field there is an error. A list that several sources share (an
// included file's lines) is written once, and so is a run of three or more
// variants that two lists share (the tiled GEMM's and convolutions'
// cooperative-matrix tiles), as a variable the lists join with
// slices.Concat. -check and the shaders test fail when that file is stale.
//
// A source may `#include "<name>.glsl"` (a file of the same directory);
// its manifest hash covers the included files too, and variant lines in an
// included file are the source's own (the conv2d_<pass>_tiled.comp share
// theirs so).
//
// Only stale .spv files are recompiled (-all recompiles every one), so
// that building the newer-glslc variants leaves the others' bytes alone:
// run it with Debian 12's glslc first, then with the newer one, e.g. in a
// Debian 13 chroot.
//
// Usage (from the repository root or the shaders directory; go generate
// runs it in shaders/ with -dir .):
//
//	go run simclr-vk/tools/shadergen [-dir shaders] [-glslc glslc] [-all] [-check] [-list]
//
// -check writes nothing and exits non-zero when a .spv is missing or its
// source or options changed since it was generated (hashes, no glslc
// needed), or, where glslc is installed, when a source does not compile.
//
// -list prints the jobs, one a line, tab-separated: the .spv, its source,
// the GLSL extensions it needs (comma-separated, - for none) and its glslc
// options; tools/spirvcmp.sh builds from it.
package main
