// Package vulkan is the Vulkan implementation of engine.Backend: SPIR-V
// compute shaders (package shaders) on any Vulkan 1.1 device, lavapipe
// (Mesa's software Vulkan) included for headless CI.
//
// # Using it
//
//	d, err := vulkan.Open(vulkan.Options{})   // default device: discrete > integrated > virtual > CPU
//	defer d.Close()
//	x := d.New(256, 512)                       // zero-filled
//	d.Upload(x, data)
//	d.Gemm(...)                                // recorded, not run yet
//	err = d.Download(y, out)                   // submits, waits, returns the sticky error
//
// Devices lists the physical devices; Options.Device picks one by index or
// name substring; Options.Validate (or SIMCLR_VK_VALIDATE=1) enables the
// Khronos validation layer, whose messages ValidationMessages returns. The
// loader is libvulkan.so.1, opened at run time (users need only libvulkan1
// and a driver; VK_DRIVER_FILES selects a driver, e.g. lavapipe's
// /usr/share/vulkan/icd.d/lvp_icd.x86_64.json).
//
// # Internals
//
//   - memory.go: tensors are sub-allocated from 16-256 MiB VkDeviceMemory
//     blocks (one VkBuffer each, offsets aligned to
//     minStorageBufferOffsetAlignment, first-fit free lists that coalesce on
//     release; tensors larger than a block get their own, kept as spares
//     after release); CPU and integrated devices map device-local +
//     host-visible memory directly, discrete GPUs keep tensors in
//     device-local memory behind a staging buffer (Options.ForceStaging
//     tests that path on any device). hoststats.go counts the host's time
//     (submits, fence waits, new blocks, pipeline builds).
//   - pipeline.go: pipelines are created lazily from the embedded SPIR-V and
//     cached per (shader, specialization constants). Every kernel uses
//     descriptor set 0 with bindings 0..n-1, all storage buffers, and a
//     128-byte push-constant range.
//   - recorder.go: dispatches are recorded into one command buffer and
//     submitted on Flush / Download (and every 128 dispatches on GPUs,
//     so the GPU starts while the host records; 1000 on CPU devices). A memory
//     barrier is inserted only before a dispatch that touches a range
//     written since the last barrier, or writes a range read since then.
//     Descriptor sets come from per-command-buffer pools reset after the
//     submit completes. EnableProfile / Profile give per-shader GPU times
//     from timestamp queries.
//   - gemm.go, gemm_splitk.go, autotune.go, autotune_cache.go: the GEMM
//     kernel of each shape class (small, medium, large, huge m*n; skinny
//     batched products such as Winograd's; split-K for a small C with a
//     long k) comes from Options.GemmVariant, a fixed table,
//     or (Options.Autotune "auto", SIMCLR_VK_AUTOTUNE=on) from timing the
//     kernels this device supports on first use of the class, cached as
//     JSON per vendor, device, driver and API version in
//     $XDG_CACHE_HOME/simclr-vk/gemm-tune.json; GemmPlan reports them.
//     The cache reader takes only a regular file of at most 8 MiB whose
//     entries pass parseTuneCache's checks (FuzzTuneCache); any other file
//     is ignored with a note and rewritten.
//   - conv.go, conv_winograd.go, conv_autotune.go: the convolution kernels
//     (implicit GEMM, register-blocked for CPU devices, compiled
//     shared-memory tile variants for GPUs; Winograd F(2x2,3x3) and
//     F(4x4,3x3) for 3x3 stride-1 layers, their transposes F(3x3,2x2) and
//     F(3x3,4x4) for the filter gradient) from Options.ConvVariant, a
//     table or, with the same Autotune mode and cache, from timing the
//     candidates on the first call with each exact problem (candidates
//     whose pipelines the driver cannot build are skipped); ConvPlan and
//     ConvKernel report them.
//   - agree.go: the autotuners' agreement check: a candidate wins only if
//     its output on the timed problem is within 1e-3 (3e-2 on cooperative
//     matrices) of the largest |value| of the register-blocked float32
//     kernel's output, measured on the device (absmax.comp,
//     absmax_diff.comp); the others are listed as Rejected in the plans,
//     with a note.
//   - coopmat.go: the optional cooperative-matrix path (Options.CoopMat,
//     SIMCLR_VK_COOPMAT): VK_KHR_cooperative_matrix shapes and features
//     queried through a small cgo mirror of structs the vendored headers
//     lack, the device created with them enabled, a self-check product at
//     open, and then every GEMM and convolution pass run by the
//     _cm_s<lanes> variants (float16 inputs scaled per tensor by a power
//     of two from absmax.comp's maxima, float32 sums;
//     shaders/coopmat_tile.glsl; 128x128, 64x128 and double-buffered
//     tiles, chosen by rows or by the autotuner). Device.MatmulInputRounding
//     tells the conformance suite to round its references' inputs alike.
//
// # Adding an op
//
//  1. Write shaders/<op>_<pass>.comp (GLSL 450, one name per op everywhere:
//     conv2d_forward.comp, cpu.Conv2DForward, Backend.Conv2DForward). Start
//     it with the standard header comment: bindings (in order, read or
//     written), layout, dispatch grid, push constants (naming the Go struct)
//     and the CPU reference it must match. Bindings are
//     `layout(std430, binding = i) buffer ...` in set 0, the push constants
//     one `layout(push_constant) uniform` block of at most 128 bytes. Tile
//     sizes and other compile-time choices are specialization constants
//     (constant_id 0, 1, 2, ... in order). For a 1-D grid, compute the flat
//     workgroup index as gl_WorkGroupID.y*gl_NumWorkGroups.x +
//     gl_WorkGroupID.x and ignore indices past the end.
//
//  2. Run `go generate ./shaders` (needs glslc) and commit the .comp, the
//     .spv and shaders/manifest.json.
//
//  3. Add engine/vulkan/<family>.go with the push-constant struct mirroring
//     the GLSL block field by field (uint32 / int32 / float32 only, same
//     order; list it with its shaders in TestPushConstants, which compares
//     it with each shader's block and fails on an unlisted shader) and the
//     Backend method:
//     check shapes first (engine.CheckBackend, engine.CheckNumel, panics
//     with "engine: <Op>: ..."), then record the dispatch (example below).
//     in(t) marks a binding the kernel only reads, out(t) one it writes
//     (inout(t) for in-place updates): the recorder derives the barriers
//     from them, so they must be right. Several dispatches in a row are
//     fine (the barriers between them are automatic); scratch tensors come
//     from d.New and may be released right after the dispatch that reads
//     them is recorded (write-after-read is tracked).
//
//  4. Test it: add the op's cases to the conformance suite
//     (engine/conformance), which every backend runs; backward ops are
//     checked against the CPU backward there. Device limits are in d.limit
//     (maxComputeSharedMemorySize, maxComputeWorkGroupInvocations,
//     maxComputeWorkGroupCount) and d.info.Type ("cpu" for lavapipe, where
//     shared memory and barrier() are slow: see gemm.go).
//
// Recording a dispatch (step 3):
//
//	d.dispatch(kernel{
//		Shader: "conv2d_forward",            // shaders/conv2d_forward.spv
//		Spec:   []uint32{tileM, tileN},      // specialization constants, or nil
//		Push:   &pushConv{...},              // pointer to the push struct, or nil
//		Groups: [3]int{gx, gy, gz},          // workgroup counts; d.grid1D(n, perGroup) for 1-D
//		Args:   []arg{out(y), in(x), in(w)}, // bindings 0, 1, 2 in shader order
//	})
//
// Errors: misuse panics; driver failures and out-of-memory become the
// sticky error returned by Flush / Download / Err, after which nothing more
// is recorded. A Device must be used by one goroutine at a time.
package vulkan
