package vkrt

import "time"

// What the tuning service, the tests and the facade's documented extras
// read of the runtime beyond dispatching.

// Pipeline builds (or finds) the pipeline of shader with spec and n
// bindings, so a planner can skip a kernel the driver cannot build
// without making it the sticky error.
func (d *Device) Pipeline(shader string, spec []uint32, n int) error {
	_, err := d.pipes.get(shader, spec, n)
	return err
}

// HeapSize is the size in bytes of the memory heap tensors live in.
func (d *Device) HeapSize() uint64 { return d.mem.heapSize }

// CanProfile reports whether the queue has timestamps (EnableProfile
// works); Profiling whether profiling is on.
func (d *Device) CanProfile() bool { return d.rec.canProfile }

// Profiling reports whether EnableProfile(true) is in effect.
func (d *Device) Profiling() bool { return d.rec.profiling }

// SwapProfile replaces the accumulated per-op times by prof and returns
// the previous ones, so a timer can use the profiler and give it back.
func (d *Device) SwapProfile(prof map[string]*OpTime) map[string]*OpTime {
	old := d.rec.prof
	d.rec.prof = prof
	return old
}

// ClearProfile empties the accumulated per-op times in place.
func (d *Device) ClearProfile() { clear(d.rec.prof) }

// ProfileTotal is the sum of the accumulated per-op times.
func (d *Device) ProfileTotal() time.Duration {
	var t time.Duration
	for _, ot := range d.rec.prof {
		t += ot.Total
	}
	return t
}

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
	var big struct{ X [PushRangeSize/4 + 1]uint32 }
	d.Dispatch(Kernel{Shader: "fill", Push: &big, Groups: [3]int{1, 1, 1}})
}

// SetMemoryLimit caps the bytes the allocator reserves (0: no cap), so
// tests can run into "out of memory" at small sizes.
func (d *Device) SetMemoryLimit(bytes uint64) { d.mem.limit = bytes }

// SetSubmitEvery makes the recorder submit a frame every n dispatches
// (GPUs: gpuSubmitEvery; CPU devices: maxDispatchesPerSubmit).
func (d *Device) SetSubmitEvery(n int) { d.rec.submitEvery = n }
