package vulkan

import (
	"fmt"
	"log"

	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/augment"
	"simclr-vk/engine/vulkan/internal/batchnorm"
	"simclr-vk/engine/vulkan/internal/conv"
	"simclr-vk/engine/vulkan/internal/eltwise"
	"simclr-vk/engine/vulkan/internal/gemm"
	"simclr-vk/engine/vulkan/internal/ntxent"
	"simclr-vk/engine/vulkan/internal/tune"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

var _ engine.Backend = (*Device)(nil)

// Options configure Open.
type Options struct {
	// Device selects the physical device: "" picks the default (discrete >
	// integrated > virtual > CPU), a number is an index in Devices() order,
	// anything else a case-insensitive substring of the device name.
	Device string
	// Validate enables VK_LAYER_KHRONOS_validation and collects its messages
	// (ValidationMessages). The environment variable SIMCLR_VK_VALIDATE=1
	// turns it on too.
	Validate bool
	// GemmVariant forces the GEMM kernel: "tiled" (shared-memory tiles, for
	// GPUs, sized by m*n), "splitk" (split-K tiles), "subgroup" (needs
	// 8-wide subgroups with ballot, for lavapipe), "regblock" (register
	// blocks, no shared memory) or one kernel by name (tiled_32x32, ...,
	// see internal/gemm/gemm.go); "" picks by device and shape class.
	// Tests use it to check every kernel on one device.
	GemmVariant string
	// Autotune picks the GEMM kernel of each shape class and, on GPUs, the
	// convolution kernel of each problem (internal/conv/autotune.go): "" or "off" from
	// a fixed table, "auto" by timing the candidates on first use and
	// caching the choice on disk, "refresh" by timing again. The
	// environment variable SIMCLR_VK_AUTOTUNE=off|on|refresh overrides it.
	Autotune string
	// TuneCache is the tuning cache file ("": SIMCLR_VK_TUNE_CACHE, else
	// $XDG_CACHE_HOME/simclr-vk/gemm-tune.json or ~/.cache/simclr-vk/...).
	TuneCache string
	// ForceStaging keeps tensors in unmapped memory and copies through a
	// staging buffer, as on discrete GPUs without host-visible device
	// memory, so that path is tested on any device (tests, debugging).
	ForceStaging bool
	// TuneConvOnCPU lets autotuning time the convolution candidates on CPU
	// devices (lavapipe) too, which by default use the table: timing them
	// at training sizes there takes minutes. Tests use it to run the
	// tuning path inside whole training steps.
	TuneConvOnCPU bool
	// CoopMat runs the matrix products (GEMM, tiled convolutions) on
	// cooperative matrices with float16 inputs and float32 accumulation
	// (coopmat.go): "" or "off" never (exact float32), "auto" on GPUs
	// that support it, "on" wherever supported (CPU devices such as
	// lavapipe included) and an error (ErrCoopMatUnsupported) elsewhere.
	// The environment variable SIMCLR_VK_COOPMAT overrides it.
	CoopMat string
	// AllowDenied uses cooperative matrices and float16 storage even where
	// the deny list (vkrt.DenyRules: devices and drivers known to compute
	// them wrongly) refuses them (--allow-denied-driver).
	AllowDenied bool
	// NTXentKernel forces the kernel family of the fused NT-Xent
	// (NTXentKernels: "gemm", "tiled", "regblock") where it applies (gemm:
	// d <= 128, tiled: d <= 256, with enough shared memory; otherwise the
	// next family of the list); "" picks by device: gemm, then tiled on
	// GPUs, regblock on CPU devices. Tests and `bench ntxent` use it.
	NTXentKernel string
	// ConvVariant forces the convolution kernel: "regblock", "tiled", one
	// tiled variant by name (tiled_64x64, ..., see internal/conv's convTiledVariants;
	// tiled_<tile>_<cm> with cooperative matrices), or "winograd" (=
	// "winograd_f2x3") / "winograd_f4x3" for the problems they compute;
	// "" picks by device type, or by autotuning (a forced kernel is never
	// tuned). Tests use it to check every kernel on one device. Float16
	// activations run the float16 variant of a forced tiled variant
	// (tiled_64x64 or tiled_64x64_f16: tiled_64x64_f16), of "regblock" or
	// "tiled"; a forced kernel without one (Winograd, cooperative matrices,
	// _k16, _db) gives them the table's float16 choice.
	ConvVariant string
	// BatchNormSplit forces the batch-norm training plan on any device:
	// > 0 the split kernels (partial, finalize, apply) with at most that
	// many chunks per channel, < 0 the fused kernels, 0 picks by device
	// type and size (bnSplitPlan). Tests and benchmarks use it to check
	// both plans anywhere.
	BatchNormSplit int
	// AugmentUpload > 0 lowers the most source bytes one upload of
	// AugmentViews takes (internal/augment UploadLimit: 256 MiB, at most
	// maxStorageBufferRange and an eighth of the memory heap), so that
	// tests split a batch of small images into several uploads and
	// dispatches, and meet the refusal of an image larger than one.
	AugmentUpload int64

	// hooks are fault injections for this package's own tests
	// (nil everywhere else); unexported so that they are no public API.
	hooks *testHooks
}

// testHooks let this package's tests reach inside a Device's choices.
// Options.hooks sets them at Open (so that they act on what Open itself
// builds); no test changes a live Device. (The NT-Xent plan hook is an
// option of internal/ntxent, whose own tests set it.)
type testHooks struct {
	// pipelineFault, when set, fails the creation of the pipelines it
	// returns an error for, as a driver that cannot compile a kernel would.
	pipelineFault func(shader string) error
	// denyRules, when not nil, replaces the built-in deny list.
	denyRules []vkrt.DenyRule
	// coopMat16Input, when set, alters the float16 activations of the
	// float16 cooperative-matrix self-check (conv.Config.SelfCheck16Input),
	// as a device that flushes subnormals would read them.
	coopMat16Input func(x []float32)
	// logf, when set, takes Open's log lines instead of log.Printf.
	logf func(format string, args ...any)
}

// Device is the Vulkan implementation of engine.Backend. A Device must be
// used by one goroutine at a time (like a CUDA stream); several Devices may
// be used concurrently. It is a facade: the runtime (internal/vkrt) owns
// the Vulkan objects, the op families their kernels and plans.
type Device struct {
	rt   *vkrt.Device
	elt  *eltwise.Ops   // the eltwise family
	bn   *batchnorm.Ops // the batchnorm family
	gemm *gemm.Ops      // the GEMM family; its CoopMat is the device's (Plans.CoopMat)
	nt   *ntxent.Ops    // the NT-Xent family
	conv *conv.Ops      // the convolution family
	info DeviceInfo     // rt.Info()
	aug  *augment.Ops   // the view augmentation family (its upload limit is AugmentLimit)

	tuner *tune.Service // nil: autotuning off (tuner.go); the GEMM and convolution families'
}

// Open creates a logical device on the chosen physical device.
func Open(opts Options) (*Device, error) {
	d := &Device{}
	cfg := vkrt.Config{Device: opts.Device, Validate: opts.Validate, CoopMat: opts.CoopMat, ForceStaging: opts.ForceStaging, Owner: d,
		AllowDenied: opts.AllowDenied}
	if opts.hooks != nil {
		cfg.PipelineFault = opts.hooks.pipelineFault
		cfg.DenyRules = opts.hooks.denyRules
	}
	rt, err := vkrt.Open(cfg)
	if err != nil {
		return nil, err
	}
	d.rt, d.info = rt, rt.Info()
	d.aug = augment.New(rt, opts.AugmentUpload)
	d.elt = eltwise.New(rt)
	d.bn = batchnorm.New(rt, opts.BatchNormSplit)
	if err := d.initGemm(opts); err != nil {
		rt.Close()
		return nil, err
	}
	// After initGemm, which validates Options.NTXentKernel; the unfused
	// composition's products go through the facade's Gemm.
	d.nt = ntxent.New(rt, ntxent.Options{Kernel: opts.NTXentKernel, Gemm: d.Gemm})
	if d.gemm.CoopMat() != "" {
		if err := d.gemm.SelfCheck(); err != nil {
			cmMode, _ := vkrt.CoopMatMode(opts.CoopMat)
			if cmMode == "on" || rt.Err() != nil {
				d.Close()
				return nil, fmt.Errorf("engine/vulkan: %w on %q (--coopmat off runs float32): %v", ErrCoopMatSelfCheck, d.info.Name, err)
			}
			log.Printf("engine/vulkan: cooperative matrices off on %q (CoopMat auto): self-check failed: %v", d.info.Name, err)
			d.gemm.CoopMatOff()
		}
	}
	// After the self-check, which may turn cooperative matrices off.
	ccfg := conv.Config{Variant: opts.ConvVariant, TuneOnCPU: opts.TuneConvOnCPU, CoopMat: d.gemm.CoopMat(),
		Tuner: d.tuner, Gemm: d.gemm, Elt: d.elt}
	if opts.hooks != nil {
		ccfg.SelfCheck16Input = opts.hooks.coopMat16Input
	}
	d.conv = conv.New(rt, ccfg)
	if ccfg.CoopMat != "" && rt.Float16Storage() == nil {
		// Float16 activations go into the float16 tiles unscaled: check
		// that the multiply keeps their subnormals (conv.Ops.SelfCheck16).
		if err := d.conv.SelfCheck16(); err != nil {
			if rt.Err() != nil {
				d.Close()
				return nil, fmt.Errorf("engine/vulkan: %w on %q (float16 convolutions; --coopmat off runs float32): %v", ErrCoopMatSelfCheck, d.info.Name, err)
			}
			logf := log.Printf
			if opts.hooks != nil && opts.hooks.logf != nil {
				logf = opts.hooks.logf
			}
			logf("engine/vulkan: float16 convolutions off the cooperative-matrix tiles on %q (float32-tile _f16 kernels instead): self-check failed: %v", d.info.Name, err)
			ccfg.NoCoopMat16 = err.Error()
			d.conv = conv.New(rt, ccfg)
		}
	}
	return d, nil
}

// Name is "vulkan".
func (d *Device) Name() string { return "vulkan" }

// Describe is one line naming the device.
func (d *Device) Describe() string {
	drv := d.info.DriverName
	if drv == "" {
		drv = fmt.Sprintf("driver %#x", d.info.DriverVersion)
	}
	val := ""
	if d.rt.Validating() {
		val = ", validation on"
	} else if note := d.rt.ValidationNote(); note != "" {
		val = ", " + note
	}
	if cm := d.gemm.CoopMat(); cm != "" {
		val += ", cooperative matrices " + cm + " (float16 inputs"
		switch cm16, off := d.Plans().CoopMatFloat16(); {
		case off != "":
			val += "; float16 convolutions on float32 tiles: " + off
		case cm16 != "":
			val += "; float16 convolutions too, subnormals checked"
		}
		val += ")"
	}
	return fmt.Sprintf("vulkan: %s (%s, %s, Vulkan %s%s)", d.info.Name, d.info.Type, drv, d.info.APIVersion, val)
}

// Info returns the properties of the device in use.
func (d *Device) Info() DeviceInfo { return d.info }

// ValidationMessages returns the validation-layer messages collected so far
// (nil without validation). Tests assert it stays empty.
func (d *Device) ValidationMessages() []string { return d.rt.ValidationMessages() }

// Err returns the sticky error without waiting.
func (d *Device) Err() error { return d.rt.Err() }

// Close waits for queued work and frees every Vulkan object. Tensors still
// alive become unusable.
func (d *Device) Close() error { return d.rt.Close() }
