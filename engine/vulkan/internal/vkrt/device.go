package vkrt

import (
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
)

// Config configures Open.
type Config struct {
	// Device selects the physical device (vulkan.Options.Device).
	Device string
	// Validate enables the validation layer (SIMCLR_VK_VALIDATE=1 too).
	Validate bool
	// CoopMat is vulkan.Options.CoopMat: "", "off", "auto" or "on"
	// (SIMCLR_VK_COOPMAT overrides it).
	CoopMat string
	// ForceStaging keeps tensors behind the staging buffer on any device.
	ForceStaging bool
	// Owner is the engine.Backend the tensors belong to (the vulkan.Device
	// facade): tensors are checked against it.
	Owner engine.Backend
	// NoFloat16Storage (tests) creates the device without
	// storageBuffer16BitAccess, as one lacking it: NewFloat16 then fails.
	NoFloat16Storage bool
	// AllowDenied uses cooperative matrices and float16 storage where the
	// deny list (denylist.go) refuses them (--allow-denied-driver: for
	// users whose driver has the fix).
	AllowDenied bool
	// DenyRules replaces the built-in table DenyRules when not nil (tests:
	// a rule matching lavapipe exercises the refusals).
	DenyRules []DenyRule
	// PipelineFault, when set (tests), fails the creation of the pipelines
	// it returns an error for, as a driver that cannot compile a kernel
	// would.
	PipelineFault func(shader string) error
}

// Device is the runtime of one logical device: the queue, memory,
// pipelines, recorder and validation messages. The op families record
// through Dispatch; package vulkan's Device wraps it as engine.Backend.
// A Device must be used by one goroutine at a time.
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
	owner engine.Backend

	timestampBits uint32 // 0: no timestamps on the queue
	forceStaging  bool
	cm            string // cooperative-matrix features enabled ("cm_s32"), "": none
	// Config.NoFloat16Storage and Config.AllowDenied: with d.info, what
	// storage16Off decides float16 storage by (storage16.go).
	noFloat16Storage bool
	allowDenied      bool
	pipelineFault    func(shader string) error

	mem   *allocator
	pipes *pipelineCache
	rec   *recorder

	err    error
	closed bool

	// validationNote says why validation was asked for but is off.
	validationNote string
	host           HostStats // counters the recorder does not keep
}

// Open creates a logical device on the chosen physical device, with the
// cooperative-matrix features enabled when cfg.CoopMat asks for them and
// the device has them (CoopMat says which variant).
func Open(cfg Config) (*Device, error) {
	validate := cfg.Validate || envValidate()
	note := ""
	if mode, err := CoopMatMode(cfg.CoopMat); validate && err == nil && mode != "off" {
		v, _ := layerSpecVersion(validationLayer)
		if note = coopMatValidationNote(v, anyCoopMatDevice); note != "" {
			validate = false
		}
	}
	in, err := sharedInstance(validate)
	if err != nil {
		return nil, err
	}
	d, err := open(in, cfg)
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

func open(in *instance, cfg Config) (*Device, error) {
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
	switch sel := strings.TrimSpace(cfg.Device); {
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
	d := &Device{inst: in, phys: pds[pick], owner: cfg.Owner, pipelineFault: cfg.PipelineFault}
	var mem vk.PhysicalDeviceMemoryProperties
	d.info, d.props, mem = physInfo(in, pick, pds[pick])
	d.limit = d.props.Limits
	if cfg.DenyRules != nil {
		applyDenials(&d.info, cfg.DenyRules)
	}

	cmMode, err := CoopMatMode(cfg.CoopMat)
	if err != nil {
		return nil, err
	}
	cmMode, note, err := coopMatDenial(d.info, cmMode, cfg.AllowDenied)
	if err != nil {
		return nil, err
	}
	if note != "" {
		log.Print(note)
	}
	d.noFloat16Storage, d.allowDenied = cfg.NoFloat16Storage, cfg.AllowDenied
	switch {
	case cmMode == "on" && d.info.CoopMatKernel == "":
		return nil, fmt.Errorf("engine/vulkan: %w on %q: %s", ErrCoopMatUnsupported, d.info.Name, d.info.CoopMatMissing)
	case cmMode == "on", cmMode == "auto" && d.info.Type != "cpu":
		d.cm = d.info.CoopMatKernel
	}
	if err := d.createLogical(); err != nil {
		return nil, err
	}
	if why := d.info.Float16Denied; why != "" && d.storage16() {
		log.Printf("engine/vulkan: float16 storage on %q (driver %s) despite the deny list (AllowDenied): %s", d.info.Name, d.info.DriverDescription(), why)
	}
	dev := d.dev
	d.forceStaging = cfg.ForceStaging
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
	if d.storage16() {
		free16, ok := storage16DeviceChain(dci)
		if !ok { // the device is created without it: NewFloat16 must refuse, saying why (storage16Off)
			d.info.Float16Storage = false
			d.info.Float16StorageMissing = "out of host memory enabling storageBuffer16BitAccess"
		}
		freeCM := freeChain
		freeChain = func() { free16(); freeCM() }
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

// ValidationMessages returns the validation-layer messages collected so far
// (nil without validation). Tests assert it stays empty.
func (d *Device) ValidationMessages() []string {
	if d.sink == nil {
		return nil
	}
	return d.sink.take()
}

// Err returns the sticky error without waiting.
func (d *Device) Err() error { return d.err }

// Fail makes err the device's sticky error unless it has one already: an
// op family's refusal of work the device cannot hold (what Err, Flush and
// Download then return), which records nothing.
func (d *Device) Fail(err error) { d.setErr(err) }

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

// Info returns the properties of the device in use.
func (d *Device) Info() DeviceInfo { return d.info }

// Limits returns the device's limits (shared memory, workgroup counts and
// sizes, storage-buffer range, ...), which the op families' plans read.
func (d *Device) Limits() vk.PhysicalDeviceLimits { return d.limit }

// CoopMat is the cooperative-matrix variant whose features the device was
// created with ("cm_s32", ...), "" for none.
func (d *Device) CoopMat() string { return d.cm }

// Validating reports whether the validation layer is on.
func (d *Device) Validating() bool { return d.inst.validate }

// ValidationNote says why validation was asked for but is off ("" when it
// is not).
func (d *Device) ValidationNote() string { return d.validationNote }

// Owner is the engine.Backend the tensors belong to (Config.Owner), for
// the op families' engine.CheckBackend.
func (d *Device) Owner() engine.Backend { return d.owner }
