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
// # Layout
//
// Package vulkan is a facade: Device implements engine.Backend by
// delegating, and engine's optional interfaces DownloadStaller
// (DownloadStalls), MatmulRounder (MatmulInputRounding), ViewAugmenter
// (AugmentViews, AugmentLimit) and Float16Storer (Float16Storage,
// NewFloat16: tensors of 2 bytes an element, which need
// storageBuffer16BitAccess; kernels load and store them as uint16_t and
// compute in float32, see internal/vkrt/storage16.go, but for the
// cooperative-matrix convolution tiles' _f16 variants, which load
// float16_t straight into their float16 tiles). Beyond them it
// exports five documented extras, one per
// concern (deviceExtras in api_test.go pins the list: a new exported
// method fails TestDeviceMethodSet):
//
//   - Info: the physical device's facts (DeviceInfo; Describe, of
//     engine.Backend, is them in one line).
//   - ValidationMessages: the validation layer's messages (diagnostics;
//     the sticky error is engine.Backend's Err).
//   - Plans: the kernel choices (tuner.go): the cooperative-matrix variant
//     (CoopMat; CoopMatFloat16 for the float16 convolutions, or why
//     not), the GEMM kernel per shape class (Gemm, GemmFor), the
//     convolution kernel per problem (Conv, ConvKernel), the fused
//     NT-Xent's family (NTXentKernel) and TuneTime, for `devices`, the
//     `bench` commands and the tests that check an option reached a plan.
//   - Profiler: where the time goes (runtime.go): HostStats, and per-op
//     GPU timing (Enable, Ops, Reset) for `bench step --profile`.
//   - Lab: the benchmark-only kernels (below).
//
// A new query joins the group it belongs to, not Device. The test hooks
// are in export_test.go or typed options (Options, vkrt.Config, the
// families' options), not globals, and no test changes a live Device.
//
// The lab apart from the product: kernels kept only as benchmark baselines
// (the unfused NT-Xent, NTXentUnfused) and the product's kernels forced
// per call (NTXentForwardBackwardKernel) are no Device methods and no part
// of engine.Backend. Device.Lab returns a Lab, the one documented way to
// them (lab.go); the `bench` commands reach it and training never does. A
// new benchmark-only kernel lives in its family and becomes a Lab method.
//
// Below the facade:
//
//   - internal/vkrt, the runtime: loader, shared instance, physical
//     devices (DeviceInfo, Devices; the cooperative-matrix queries and
//     features), the logical device, memory (tensors sub-allocated from
//     16-256 MiB VkDeviceMemory blocks with first-fit free lists; CPU and
//     integrated devices map device-local + host-visible memory directly,
//     discrete GPUs go through a staging buffer, Options.ForceStaging tests
//     that path anywhere), the pipeline cache (lazily built from the
//     embedded SPIR-V, per shader, specialization constants and binding
//     count; set 0, storage buffers 0..n-1, a 128-byte push-constant
//     range), the recorder (one command buffer submitted on Flush /
//     Download and every 128 dispatches on GPUs, 1000 on CPU devices; a
//     barrier only before a dispatch that touches a range written since
//     the last one, or writes a range read since then), the profiler and
//     the host-time counters. Its test hooks are Config fields.
//   - one package per op family under internal/, owning its kernel table
//     (shader -> push-constant struct, which TestPushConstants checks
//     against the GLSL) and its plan logic, recording through vkrt.
//
// The families: internal/augment (AugmentViews, engine.ViewAugmenter:
// SimCLR views rendered from uint8 images as simclr/augment's Apply
// renders them), internal/float16 (ToFloat16 / FromFloat16, RoundFloat16),
// internal/eltwise (elementwise, reductions, bias, pooling, L2
// normalisation, cross-entropy, optimizers), internal/batchnorm,
// internal/gemm (Gemm and GemmBatched, the shape classes and their kernel
// choice, split-K, the cooperative-matrix self-check and input maxima),
// internal/ntxent (the fused NT-Xent, its plan and plan tests, which set
// the plan hook as an option of the family on a bare runtime; the unfused
// composition, reached only through Lab, gets Gemm as a function in
// ntxent.Options, so the family imports no package vulkan) and
// internal/conv (the convolutions: implicit GEMM, tiled and Winograd
// kernels, the table, the per-problem tuning and its choices; it records
// Winograd's batched products and takes the cooperative-matrix scales
// through internal/gemm's API, and is made after the cooperative-matrix
// self-check, which may turn them off). Beside them internal/tune, the
// tuning service (for a problem key, time the candidates with a Timer,
// keep the fastest that agrees with the reference, cache it per device
// and driver; its absmax kernels also give the cooperative-matrix input
// scales): one Service per Device (Device.tuner, tuner.go), shared by the
// GEMM classes and the convolution problems through the families'
// Configs. The op-family split of issue #20 is complete: package vulkan
// holds no kernel of its own.
//
// The GEMM kernel of each shape class (small, medium, large, huge m*n;
// skinny batched products such as Winograd's; split-K for a small C with
// a long k) comes from Options.GemmVariant, a fixed table, or
// (Options.Autotune "auto", SIMCLR_VK_AUTOTUNE=on) from timing the
// kernels this device supports on first use of the class, cached as JSON
// per vendor, device, driver and API version in
// $XDG_CACHE_HOME/simclr-vk/gemm-tune.json (Plans.Gemm reports them; the
// cache reader takes only a regular file of at most 8 MiB whose entries
// pass internal/tune's parseTuneCache, FuzzTuneCache). The convolution
// kernels (implicit GEMM, register-blocked for CPU devices, shared-memory
// tile variants for GPUs; Winograd F(2x2,3x3) and F(4x4,3x3) for 3x3 stride-1
// layers and their transposes for the filter gradient) come from
// Options.ConvVariant, a table or the same autotuning per exact problem
// (Plans.Conv, Plans.ConvKernel). A tuned candidate wins only if its output is
// within 1e-3 (3e-2 on cooperative matrices) of the largest |value| of
// the register-blocked float32 kernel's output (internal/tune/agree.go).
// The optional cooperative-matrix path (Options.CoopMat,
// SIMCLR_VK_COOPMAT) runs every GEMM and convolution on the _cm_s<lanes>
// variants (float16 inputs scaled per tensor by a power of two, float32
// sums) after a self-check product at open; Device.MatmulInputRounding
// tells the conformance suite to round its references' inputs alike.
// Float16 activations go into the float16 tiles unscaled (the _<cm>_f16
// convolution tiles), so their subnormals (|x| < 2^-14) must survive the
// multiply, which Vulkan leaves to the implementation: where the device
// has float16 storage, a second self-check at open runs one small float16
// convolution with subnormal and normal activations on the tile
// (internal/conv: Ops.SelfCheck16); where it fails (subnormals flushed,
// or anything else wrong) Open logs one line naming the device and why,
// the float16 convolutions run the float32-tile _f16 kernels instead
// (the float32 ones keep their cooperative matrices), and
// Plans.CoopMatFloat16 and Describe say so.
// Before that, a deny list (vkrt.DenyRules, internal/vkrt/denylist.go)
// refuses cooperative matrices or float16 storage on devices and drivers
// publicly reported to advertise them and compute wrong results, each
// entry matching a vendor ID, VkDriverId values, device IDs, a device-name
// substring and a driver-version range [min, below) and citing its report:
// a refused feature counts as absent (CoopMat "auto" runs float32 and logs
// one line naming the device, driver and reason; "on" fails with ErrDenied,
// as does Float16Storage, which --precision mixed turns into an error).
// Options.AllowDenied (--allow-denied-driver) overrides it; `simclr-vk
// devices` shows the denials and the driver ID.
// A GEMM with a float16 operand (engine.Float16) runs on regblock's _f16
// variants whatever the class table, the tuning, GemmVariant or CoopMat
// choose: the other kernels have no float16 variants and refuse such
// operands (internal/gemm/gemm16.go).
//
// # Adding an op
//
// An op family is a package engine/vulkan/internal/<family>; a new op
// joins one or starts one. internal/float16 is the worked example (the
// whole op touched 13 files: two shaders with their .spv and the
// manifest, engine/backend.go, engine/float16.go and its test, the CPU
// reference engine/cpu/float16.go, the family package, families.go,
// TestPushConstants and the conformance check).
//
//  1. Write shaders/<op>.comp (GLSL 450, one name per op everywhere:
//     to_float16.comp, cpu.ToFloat16, Backend.ToFloat16). Start it with
//     the standard header comment: bindings (in order, read or written),
//     layout, dispatch grid, push constants (naming the Go struct) and the
//     CPU reference it must match. Bindings are
//     `layout(std430, binding = i) buffer ...` in set 0, the push constants
//     one `layout(push_constant) uniform` block of at most 128 bytes. Tile
//     sizes and other compile-time choices are specialization constants
//     (constant_id 0, 1, 2, ... in order). For a 1-D grid, compute the flat
//     workgroup index as gl_WorkGroupID.y*gl_NumWorkGroups.x +
//     gl_WorkGroupID.x and ignore indices past the end.
//
//  2. Run `go run ./tools/shadergen -dir shaders` (needs glslc) and commit
//     the .comp, the .spv and shaders/manifest.json.
//
//  3. Add the op to engine.Backend (engine/backend.go) and its CPU
//     reference to engine/cpu (a slice function, the spec, and the Backend
//     method).
//
//  4. In the family package: the push-constant struct mirroring the GLSL
//     block field by field (uint32 / int32 / float32 only, same order),
//     the kernel table `Shaders` (shader -> push struct; a new family adds
//     its table to familyShaders in push_internal_test.go, where
//     TestPushConstants compares each with the shader's block, read
//     through its #include lines (a block several kernels share is written
//     once, in a shaders/<family>_push.glsl or the family's include), and
//     fails on an unlisted shader), and the op as a function of the runtime (or,
//     for a family with options or many ops, a method of an Ops that
//     embeds vkrt.Family: the runtime, the tensors' owner and the device
//     facts the plans read, as internal/eltwise and internal/batchnorm
//     do): check
//     shapes first (engine.CheckBackend with rt.Owner(), engine.CheckNumel,
//     panics with "engine: <Op>: ..."), then record the dispatch (example
//     below). vkrt.In(t) marks a binding the kernel only reads, vkrt.Out(t)
//     one it writes (vkrt.InOut(t) for in-place updates): the recorder
//     derives the barriers from them, so they must be right. Several
//     dispatches in a row are fine (the barriers between them are
//     automatic); scratch tensors come from rt.New / rt.NewScratch and may
//     be released right after the dispatch that reads them is recorded
//     (write-after-read is tracked). Plans read rt.Limits()
//     (maxComputeSharedMemorySize, maxComputeWorkGroupInvocations,
//     maxComputeWorkGroupCount) and rt.Info().Type ("cpu" for lavapipe,
//     where shared memory and barrier() are slow).
//
//  5. Delegate from the facade: one line per op in families.go.
//
//  6. Test it: add the op's cases to the conformance suite
//     (engine/conformance), which every backend runs, CPU included; backward
//     ops are checked against the CPU backward there. Plan logic gets
//     internal tests in the family package; a test that forces a plan
//     sets a hook option when it makes the family's Ops (on a bare
//     vkrt runtime from internal/rttest, as internal/ntxent's and
//     internal/conv's tests do), never on a live Device.
//
//  7. Float16 storage (engine.Float16 operands): list the operands in
//     engine.Float16Operands (engine/dtype.go), check them with
//     engine.CheckNumelOf / CheckSameOf instead of CheckNumel (which
//     refuses float16, so every other op stays safe), make the CPU op
//     round a float16 output once (engine/cpu/float16store.go), and give
//     the shader float16 variants: a HALF bitmask of its bindings
//     (eltwise.glsl; half_bind.glsl for a kernel that declares its own
//     bindings) or an F16 flag (batchnorm_half.glsl), loads and stores
//     through half.glsl's integer conversions (a kernel without variant
//     lines keeps its float32 .spv name by moving its body to an include
//     that a <kernel>_f16.comp also includes, as conv2d_<pass>_main.glsl).
//     Keep the float32 kernel's SPIR-V as it was (tools/spirvcmp.sh; a
//     renamed _f32 .spv against the old one by hand): keep a `y[i] += v`
//     under `#if HALF == 0` where the float16 form would reorder its
//     loads. The conformance families Float16Refuse and Float16Store
//     (Float16Linear for the linear layers' ops, Float16Conv for the
//     convolutions) then cover it, and a plan must never pick a kernel
//     without a float16 variant for such operands (internal/conv/conv16.go,
//     internal/gemm/gemm16.go).
//
// Recording a dispatch (step 4):
//
//	rt.Dispatch(vkrt.Kernel{
//		Shader: "to_float16",                            // shaders/to_float16.spv
//		Spec:   nil,                                     // specialization constants, or nil
//		Push:   &Push{uint32(n)},                        // pointer to the push struct, or nil
//		Groups: rt.Grid1D((n+1)/2, 256),                 // workgroup counts x, y, z
//		Args:   []vkrt.Arg{vkrt.Out(dst), vkrt.In(src)}, // bindings 0, 1 in shader order
//	})
//
// Errors: misuse panics; driver failures and out-of-memory become the
// sticky error returned by Flush / Download / Err, after which nothing more
// is recorded. A Device must be used by one goroutine at a time.
package vulkan
