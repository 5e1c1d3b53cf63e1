package vulkan

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Test hooks for the external tests (package vulkan_test).

// Counters returns the barriers, dispatches and submits recorded so far.
func (d *Device) Counters() (barriers, dispatches, submits int) { return d.rt.Counters() }

// Alignment is the allocator's offset alignment in bytes.
func (d *Device) Alignment() uint64 { return d.rt.Alignment() }

// BlockSize is the allocator's block size in bytes.
func (d *Device) BlockSize() uint64 { return d.rt.BlockSize() }

// PushTooLarge records a dispatch whose push constants exceed the range.
func (d *Device) PushTooLarge() { d.rt.PushTooLarge() }

// BatchNormSplitParts is the number of chunks per channel of the split
// batch-norm plan the training kernels take for p (0: the fused kernels),
// so tests can check that Options.BatchNormSplit reached the plan.
func (d *Device) BatchNormSplitParts(p engine.BatchNormParams) int { return d.bn.SplitParts(p) }

// SetMemoryLimit caps the bytes the allocator reserves (0: no cap), so
// tests can run into "out of memory" at small sizes.
func (d *Device) SetMemoryLimit(bytes uint64) { d.rt.SetMemoryLimit(bytes) }

// SetSubmitEvery makes the recorder submit a frame every n dispatches.
func (d *Device) SetSubmitEvery(n int) { d.rt.SetSubmitEvery(n) }

// Guarded is a tensor between two guard bands (vkrt.Guarded).
type Guarded = vkrt.Guarded

// NewGuarded allocates T (shape) between two guards of guard floats each,
// filled with sentinel (vkrt.Device.NewGuarded).
func (d *Device) NewGuarded(sentinel float32, guard int, shape ...int) (*Guarded, error) {
	return d.rt.NewGuarded(sentinel, guard, shape...)
}

// Placement returns the memory block index, byte offset and byte size of
// t's allocation (vkrt.Device.Placement).
func (d *Device) Placement(t *engine.Tensor) (block int, offset, bytes uint64) {
	return d.rt.Placement(t)
}

// EmptyCache waits for queued work and returns the spare blocks of large
// released tensors to the driver (vkrt.Device.EmptyCache).
func (d *Device) EmptyCache() error { return d.rt.EmptyCache() }

// GemmVariant is the GEMM kernel family in use (Options.GemmVariant, or
// "tiled", "subgroup" or "regblock" by device).
func (d *Device) GemmVariant() string { return d.gemm.Variant() }
