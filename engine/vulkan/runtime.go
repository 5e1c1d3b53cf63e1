package vulkan

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// The runtime (internal/vkrt) seen from the facade: its types and
// functions that are part of this package's API, and the engine.Backend
// memory methods, which it implements.

// Types of the runtime that are part of this package's API.
type (
	// DeviceInfo describes a physical device (Devices, Device.Info).
	DeviceInfo = vkrt.DeviceInfo
	// HostStats counts where a Device's host time goes (Profiler.HostStats).
	HostStats = vkrt.HostStats
	// OpTime is one shader's accumulated GPU time (Profiler.Ops).
	OpTime = vkrt.OpTime
)

// Devices lists the physical devices in vkEnumeratePhysicalDevices order.
func Devices() ([]DeviceInfo, error) { return vkrt.Devices() }

// ValidationAvailable reports whether the Vulkan loader and the Khronos
// validation layer are installed.
func ValidationAvailable() bool { return vkrt.ValidationAvailable() }

// New allocates a zero-filled tensor. Out of memory does not panic: the
// tensor is unusable and the sticky error names the shape and the memory
// in use.
func (d *Device) New(shape ...int) *engine.Tensor { return d.rt.New(shape...) }

// Float16Storage implements engine.Float16Storer: nil on devices with
// storageBuffer16BitAccess (Vulkan 1.1, VK_KHR_16bit_storage), else why not.
func (d *Device) Float16Storage() error { return d.rt.Float16Storage() }

// NewFloat16 implements engine.Float16Storer: a zero-filled engine.Float16
// tensor of 2 bytes an element; where Float16Storage fails, an unusable
// tensor and that error as the sticky error.
func (d *Device) NewFloat16(shape ...int) *engine.Tensor { return d.rt.NewFloat16(shape...) }

// Upload copies src into t. It waits for queued work only when that work
// reads or writes t.
func (d *Device) Upload(t *engine.Tensor, src []float32) { d.rt.Upload(t, src) }

// Download waits for queued work and copies t into dst.
func (d *Device) Download(t *engine.Tensor, dst []float32) error { return d.rt.Download(t, dst) }

// DownloadStalls implements engine.DownloadStaller: a Download submits the
// queued ops and waits for them (layers.OverlapAuto reads it).
func (d *Device) DownloadStalls() bool { return d.rt.DownloadStalls() }

// The facade must keep saying it (a missing delegation would silently turn
// the data-parallel overlap on where downloads stall the queue).
var _ engine.DownloadStaller = (*Device)(nil)

var _ engine.ViewAugmenter = (*Device)(nil)

// Release returns t's memory for reuse (safe while queued work still reads
// it).
func (d *Device) Release(t *engine.Tensor) { d.rt.Release(t) }

// Flush submits queued work, waits for it and returns the sticky error.
func (d *Device) Flush() error { return d.rt.Flush() }

// MemStats returns the allocator's statistics.
func (d *Device) MemStats() engine.MemStats { return d.rt.MemStats() }

// ResetPeak sets Peak to the current InUse.
func (d *Device) ResetPeak() { d.rt.ResetPeak() }

// Fill sets dst[i] = v.
func (d *Device) Fill(dst *engine.Tensor, v float32) { d.rt.Fill(dst, v) }

// Profiler is where a Device's time goes: the host-time counters, always
// on, and per-op GPU timing with timestamp queries, off until enabled
// (`bench step` prints both).
type Profiler struct{ d *Device }

// Profiler returns the profiling side of d.
func (d *Device) Profiler() Profiler { return Profiler{d} }

// HostStats returns the host-time counters so far.
func (p Profiler) HostStats() HostStats { return p.d.rt.HostStats() }

// Enable turns per-op GPU timing with timestamp queries on or off (an
// error when the queue has no timestamps).
func (p Profiler) Enable(on bool) error { return p.d.rt.EnableProfile(on) }

// Ops returns the accumulated per-op GPU times (after a Flush), sorted by
// total time, largest first.
func (p Profiler) Ops() []OpTime { return p.d.rt.Profile() }

// Reset clears the accumulated per-op times.
func (p Profiler) Reset() { p.d.rt.ResetProfile() }
