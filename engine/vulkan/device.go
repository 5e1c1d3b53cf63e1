package vulkan

import (
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
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
	// see gemm.go); "" picks by device and shape class. Tests use it to
	// check every kernel on one device.
	GemmVariant string
	// Autotune picks the GEMM kernel of each shape class and, on GPUs, the
	// convolution kernel of each problem (conv_autotune.go): "" or "off" from
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
	// NTXentKernel forces the kernel family of the fused NT-Xent
	// (NTXentKernels: "gemm", "tiled", "regblock") where it applies (gemm:
	// d <= 128, tiled: d <= 256, with enough shared memory; otherwise the
	// next family of the list); "" picks by device: gemm, then tiled on
	// GPUs, regblock on CPU devices. Tests and `bench ntxent` use it.
	NTXentKernel string
	// ConvVariant forces the convolution kernel: "regblock", "tiled", one
	// tiled variant by name (tiled_64x64, ..., see convTiledVariants;
	// tiled_<tile>_<cm> with cooperative matrices), or "winograd" (=
	// "winograd_f2x3") / "winograd_f4x3" for the problems they compute;
	// "" picks by device type, or by autotuning (a forced kernel is never
	// tuned). Tests use it to check every kernel on one device.
	ConvVariant string
	// BatchNormSplit forces the batch-norm training plan on any device:
	// > 0 the split kernels (partial, finalize, apply) with at most that
	// many chunks per channel, < 0 the fused kernels, 0 picks by device
	// type and size (bnSplitPlan). Tests and benchmarks use it to check
	// both plans anywhere.
	BatchNormSplit int

	// hooks are fault and plan injections for this package's own tests
	// (nil everywhere else); unexported so that they are no public API.
	hooks *testHooks
}

// testHooks let this package's tests reach inside a Device's choices.
// Options.hooks sets them at Open (so that they act on what Open itself
// builds); a test that shares one Device across cases sets d.hooks.
type testHooks struct {
	// pipelineFault, when set, fails the creation of the pipelines it
	// returns an error for, as a driver that cannot compile a kernel would.
	pipelineFault func(shader string) error
	// ntxentPlan, when set, edits every NT-Xent plan (ntxentPlan).
	ntxentPlan func(*ntxentPlan)
}

// Device is the Vulkan implementation of engine.Backend. A Device must be
// used by one goroutine at a time (like a CUDA stream); several Devices may
// be used concurrently.
type Device struct {
	inst  *instance
	sink  *msgSink
	phys  vk.PhysicalDevice
	info  DeviceInfo
	props vk.PhysicalDeviceProperties
	limit vk.PhysicalDeviceLimits
	dev   vk.Device
	queue vk.Queue
	qfam  uint32

	timestampBits uint32 // 0: no timestamps on the queue
	gemmVariant   string
	tune          gemmState // GEMM kernel per shape class (autotune.go)
	forceStaging  bool
	tuneConvCPU   bool   // Options.TuneConvOnCPU
	cm            string // cooperative-matrix variant ("cm_s32"), "": float32 kernels
	ntxentKernel  string // Options.NTXentKernel
	convVariant   string // Options.ConvVariant
	bnSplit       int    // Options.BatchNormSplit
	hooks         *testHooks

	mem   *allocator
	pipes *pipelineCache
	rec   *recorder

	err    error
	closed bool

	// validationNote says why validation was asked for but is off.
	validationNote string
	host           HostStats // counters the recorder does not keep
}

// Open creates a logical device on the chosen physical device.
func Open(opts Options) (*Device, error) {
	validate := opts.Validate || envValidate()
	note := ""
	if mode, err := coopMatMode(opts.CoopMat); validate && err == nil && mode != "off" {
		v, _ := layerSpecVersion(validationLayer)
		if note = coopMatValidationNote(v, anyCoopMatDevice); note != "" {
			validate = false
		}
	}
	in, err := sharedInstance(validate)
	if err != nil {
		return nil, err
	}
	d, err := open(in, opts)
	if err != nil {
		return nil, err
	}
	d.validationNote = note
	return d, nil
}

// coopMatValidationNote says why a Device that may use cooperative
// matrices opens without validation: the layer (header version layer) is
// older than VK_KHR_cooperative_matrix and a device offers the extension
// (the layer would report the extension's feature struct and SPIR-V
// capability as errors). "" keeps validation.
func coopMatValidationNote(layer uint32, anyDevice func() bool) string {
	if layer == 0 || layer >= coopMatLayerVersion || !anyDevice() {
		return ""
	}
	return fmt.Sprintf("validation off: %s %s predates VK_KHR_cooperative_matrix (%s)",
		validationLayer, versionString(layer), versionString(coopMatLayerVersion))
}

func open(in *instance, opts Options) (*Device, error) {
	pds, err := in.physicalDevices()
	if err != nil {
		return nil, err
	}
	types := make([]vk.PhysicalDeviceType, len(pds))
	names := make([]string, len(pds))
	for i, pd := range pds {
		var p vk.PhysicalDeviceProperties
		vk.GetPhysicalDeviceProperties(pd, &p)
		p.Deref()
		types[i] = p.DeviceType
		names[i] = vk.ToString(p.DeviceName[:])
	}
	pick := -1
	switch sel := strings.TrimSpace(opts.Device); {
	case sel == "":
		pick = defaultOrder(types)[0]
	default:
		if n, err := strconv.Atoi(sel); err == nil {
			if n < 0 || n >= len(pds) {
				return nil, fmt.Errorf("engine/vulkan: device index %d out of range (%d devices: %s)", n, len(pds), strings.Join(names, ", "))
			}
			pick = n
		} else {
			for _, i := range defaultOrder(types) {
				if strings.Contains(strings.ToLower(names[i]), strings.ToLower(sel)) {
					pick = i
					break
				}
			}
			if pick < 0 {
				return nil, fmt.Errorf("engine/vulkan: no device name contains %q (have: %s)", sel, strings.Join(names, ", "))
			}
		}
	}
	d := &Device{inst: in, phys: pds[pick], convVariant: opts.ConvVariant, bnSplit: opts.BatchNormSplit, hooks: opts.hooks}
	var mem vk.PhysicalDeviceMemoryProperties
	d.info, d.props, mem = physInfo(in, pick, pds[pick])
	d.limit = d.props.Limits

	cmMode, err := coopMatMode(opts.CoopMat)
	if err != nil {
		return nil, err
	}
	switch {
	case cmMode == "on" && d.info.CoopMatKernel == "":
		return nil, fmt.Errorf("engine/vulkan: %w on %q: %s", ErrCoopMatUnsupported, d.info.Name, d.info.CoopMatMissing)
	case cmMode == "on", cmMode == "auto" && d.info.Type != "cpu":
		d.cm = d.info.CoopMatKernel
	}
	if err := d.createLogical(); err != nil {
		return nil, err
	}
	dev := d.dev

	// Subgroup kernels assume 8 lanes with ballot (subgroupBroadcast) in
	// compute shaders.
	const ballot, computeStage = 0x8, 0x20
	sg8 := d.info.SubgroupSize == 8 && d.info.SubgroupOps&ballot != 0 && d.info.SubgroupStages&computeStage != 0
	if err := d.initGemm(opts, sg8); err != nil {
		vk.DestroyDevice(dev, nil)
		return nil, err
	}

	d.forceStaging = opts.ForceStaging
	d.tuneConvCPU = opts.TuneConvOnCPU
	if d.mem, err = newAllocator(d, mem); err != nil {
		vk.DestroyDevice(dev, nil)
		return nil, err
	}
	d.pipes = newPipelineCache(d)
	if d.rec, err = newRecorder(d); err != nil {
		d.pipes.destroy()
		d.mem.destroy()
		vk.DestroyDevice(dev, nil)
		return nil, err
	}
	d.watchValidation()
	if d.cm != "" {
		if err := d.coopMatSelfCheck(); err != nil {
			if cmMode == "on" || d.err != nil {
				d.Close()
				return nil, fmt.Errorf("engine/vulkan: %w on %q (--coopmat off runs float32): %v", ErrCoopMatSelfCheck, d.info.Name, err)
			}
			log.Printf("engine/vulkan: cooperative matrices off on %q (CoopMat auto): self-check failed: %v", d.info.Name, err)
			d.cm = ""
		}
	}
	return d, nil
}

// createLogical creates the logical device (d.dev, with the cooperative-
// matrix features enabled when d.cm is set) and its compute queue (d.qfam,
// d.queue, d.timestampBits) on d.phys.
func (d *Device) createLogical() error {
	var nq uint32
	vk.GetPhysicalDeviceQueueFamilyProperties(d.phys, &nq, nil)
	qprops := make([]vk.QueueFamilyProperties, nq)
	vk.GetPhysicalDeviceQueueFamilyProperties(d.phys, &nq, qprops)
	found := false
	for i := range qprops {
		qprops[i].Deref()
		if qprops[i].QueueFlags&vk.QueueFlags(vk.QueueComputeBit) != 0 {
			d.qfam = uint32(i)
			d.timestampBits = qprops[i].TimestampValidBits
			found = true
			break
		}
	}
	if !found {
		return fmt.Errorf("engine/vulkan: device %q has no compute queue", d.info.Name)
	}
	qci := vk.DeviceQueueCreateInfo{
		SType:            vk.StructureTypeDeviceQueueCreateInfo,
		QueueFamilyIndex: d.qfam,
		QueueCount:       1,
		PQueuePriorities: []float32{1},
	}
	dci := &vk.DeviceCreateInfo{
		SType:                vk.StructureTypeDeviceCreateInfo,
		QueueCreateInfoCount: 1,
		PQueueCreateInfos:    []vk.DeviceQueueCreateInfo{qci},
	}
	freeChain := func() {}
	if d.cm != "" {
		freeChain = coopMatDeviceChain(dci)
	}
	var dev vk.Device
	res := vk.CreateDevice(d.phys, dci, nil, &dev)
	dci.Free()
	freeChain()
	if res != vk.Success {
		return fmt.Errorf("engine/vulkan: vkCreateDevice on %q: %w", d.info.Name, vk.Error(res))
	}
	d.dev = dev
	var q vk.Queue
	vk.GetDeviceQueue(dev, d.qfam, 0, &q)
	d.queue = q
	return nil
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
	if d.inst.validate {
		val = ", validation on"
	} else if d.validationNote != "" {
		val = ", " + d.validationNote
	}
	if d.cm != "" {
		val += ", cooperative matrices " + d.cm + " (float16 inputs)"
	}
	return fmt.Sprintf("vulkan: %s (%s, %s, Vulkan %s%s)", d.info.Name, d.info.Type, drv, d.info.APIVersion, val)
}

// Info returns the properties of the device in use.
func (d *Device) Info() DeviceInfo { return d.info }

// GemmVariant is the GEMM kernel family in use (Options.GemmVariant, or
// "tiled", "subgroup" or "regblock" by device); GemmPlan has the kernel
// of each shape class.
func (d *Device) GemmVariant() string { return d.gemmVariant }

// ValidationMessages returns the validation-layer messages collected so far
// (nil without validation). Tests assert it stays empty.
func (d *Device) ValidationMessages() []string {
	if d.sink == nil {
		return nil
	}
	return d.sink.take()
}

// Validating reports whether the validation layer is on.
func (d *Device) Validating() bool { return d.inst.validate }

// Err returns the sticky error without waiting.
func (d *Device) Err() error { return d.err }

// setErr records the first error; later ones are dropped.
func (d *Device) setErr(err error) {
	if d.err == nil && err != nil {
		d.err = err
	}
}

// Close waits for queued work and frees every Vulkan object. Tensors still
// alive become unusable.
func (d *Device) Close() error {
	if d.closed {
		return nil
	}
	err := d.Flush()
	d.closed = true
	vk.DeviceWaitIdle(d.dev)
	d.rec.destroy()
	d.pipes.destroy()
	d.mem.destroy()
	vk.DestroyDevice(d.dev, nil)
	d.unwatchValidation()
	// The instance is shared and stays (sharedInstance).
	return err
}

// watchValidation starts collecting this device's validation messages
// (ValidationMessages) when its instance validates.
func (d *Device) watchValidation() {
	if !d.inst.validate {
		return
	}
	d.sink = &msgSink{}
	sinkMu.Lock()
	sinks[d.sink] = struct{}{}
	sinkMu.Unlock()
}

// unwatchValidation stops collecting them; ValidationMessages keeps those
// collected.
func (d *Device) unwatchValidation() {
	if d.sink != nil {
		sinkMu.Lock()
		delete(sinks, d.sink)
		sinkMu.Unlock()
	}
}

// vkErr wraps a failed VkResult with the operation's name.
func vkErr(op string, res vk.Result) error {
	return fmt.Errorf("engine/vulkan: %s: %w", op, vk.Error(res))
}

// errClosed is the sticky error of a closed device.
var errClosed = errors.New("engine/vulkan: device is closed")
