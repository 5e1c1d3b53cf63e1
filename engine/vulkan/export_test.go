package vulkan

import "simclr-vk/engine"

// Test hooks for the external tests (package vulkan_test).

// Counters returns the barriers, dispatches and submits recorded so far.
func (d *Device) Counters() (barriers, dispatches, submits int) {
	return d.rec.nBarriers, d.rec.nDispatches, d.rec.nSubmits
}

// Alignment is the allocator's offset alignment in bytes.
func (d *Device) Alignment() uint64 { return d.mem.align }

// BlockSize is the allocator's block size in bytes.
func (d *Device) BlockSize() uint64 { return d.mem.blockSize }

// PushTooLarge records a dispatch whose push constants exceed the range.
func (d *Device) PushTooLarge() {
	var big struct{ X [pushRangeSize/4 + 1]uint32 }
	d.dispatch(kernel{Shader: "fill", Push: &big, Groups: [3]int{1, 1, 1}})
}

// BatchNormSplitParts is the number of chunks per channel of the split
// batch-norm plan the training kernels take for p (0: the fused kernels),
// so tests can check that Options.BatchNormSplit reached the plan.
func (d *Device) BatchNormSplitParts(p engine.BatchNormParams) int { return d.bnSplitPlan(p).parts }

// SetMemoryLimit caps the bytes the allocator reserves (0: no cap), so
// tests can run into "out of memory" at small sizes.
func (d *Device) SetMemoryLimit(bytes uint64) { d.mem.limit = bytes }

// SetSubmitEvery makes the recorder submit a frame every n dispatches
// (GPUs: gpuSubmitEvery; CPU devices: maxDispatchesPerSubmit).
func (d *Device) SetSubmitEvery(n int) { d.rec.submitEvery = n }
