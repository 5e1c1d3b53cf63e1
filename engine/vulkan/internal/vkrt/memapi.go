package vkrt

import (
	"fmt"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
)

// New allocates a zero-filled tensor (zeroed by a queued fill dispatch).
// Out of memory does not panic: the tensor is unusable and the sticky
// error names the shape and the memory in use.
func (d *Device) New(shape ...int) *engine.Tensor {
	return d.newTensor("New", true, shape)
}

// NewScratch allocates a tensor whose contents are undefined (memory that
// released tensors held, possibly NaN): for scratch that the kernels
// recorded next overwrite entirely before anything reads it (Winograd's
// transformed tensors and products), where New's zero fill would be one
// more write pass over the largest buffers of a convolution. Errors as New.
func (d *Device) NewScratch(shape ...int) *engine.Tensor {
	return d.newTensor("newScratch", false, shape)
}

// newTensor is New, zero-filled or not.
func (d *Device) newTensor(op string, zero bool, shape []int) *engine.Tensor {
	return d.newTensorOf(op, engine.Float32, zero, shape)
}

// newTensorOf is newTensor for a tensor stored as dt.
func (d *Device) newTensorOf(op string, dt engine.DType, zero bool, shape []int) *engine.Tensor {
	t, err := d.tryNewTensor(op, dt, zero, shape)
	if err != nil {
		d.setErr(err)
	}
	return t
}

// TryNewScratch is NewScratch returning out of memory as an error instead
// of making it the device's sticky error (nil tensor then): for optional
// work such as the autotuner's reference copy.
func (d *Device) TryNewScratch(shape ...int) (*engine.Tensor, error) {
	t, err := d.tryNewTensor("newScratch", engine.Float32, false, shape)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// tryNewTensor allocates; on failure it returns an unusable tensor and the
// error without setting it.
// A Float16 tensor of n elements takes (n+1)/2 words (storage16.go),
// engine.PackFloat16's layout, so that its buffer range is whole words.
func (d *Device) tryNewTensor(op string, dt engine.DType, zero bool, shape []int) (*engine.Tensor, error) {
	n := engine.CheckShape(op, shape)
	if d.closed {
		return engine.NewTensorOf(d.owner, dt, (*alloc)(nil), shape...), errClosed
	}
	words := n
	if dt == engine.Float16 {
		words = (n + 1) / 2
		if err := d.noStorage16(); err != nil {
			return engine.NewTensorOf(d.owner, dt, (*alloc)(nil), shape...), fmt.Errorf("engine/vulkan: %s %v: %w", op, shape, err)
		}
	}
	al, err := d.mem.allocate(4 * uint64(words))
	if err != nil {
		st := d.mem.stats
		return engine.NewTensorOf(d.owner, dt, (*alloc)(nil), shape...), fmt.Errorf("engine/vulkan: %s %v: out of memory allocating %d bytes (%d bytes in use in %d tensors, %d reserved): %w",
			op, shape, 4*words, st.InUse, st.Tensors, st.Reserved, err)
	}
	t := engine.NewTensorOf(d.owner, dt, al, shape...)
	if !zero {
		return t, nil
	}
	if al.blk.ptr != nil && !d.rec.touches(rng{al.blk.id, al.off, al.off + al.bytes}) {
		t0 := time.Now()
		clear(unsafe.Slice((*float32)(unsafe.Add(al.blk.ptr, al.off)), words))
		d.host.HostZeroBytes += 4 * int64(words)
		d.host.HostZeroTime += time.Since(t0)
	} else {
		d.fillWords(t, words, 0)
	}
	return t, nil
}

// allocOf returns t's allocation, nil when its allocation failed.
func (d *Device) allocOf(op string, t *engine.Tensor) *alloc {
	engine.CheckBackend(op, d.owner, t)
	if t.Released() {
		panic(fmt.Sprintf("engine/vulkan: %s: tensor %v was released", op, t))
	}
	al, _ := t.Storage.(*alloc)
	return al
}

// Upload copies src into t. It waits for queued work only when that work
// reads or writes t.
func (d *Device) Upload(t *engine.Tensor, src []float32) {
	al := d.allocOf("Upload", t)
	if len(src) != t.Numel() {
		panic(fmt.Sprintf("engine/vulkan: Upload: %d values for tensor %v", len(src), t))
	}
	if al == nil || d.err != nil || d.closed {
		return
	}
	if t.DType() == engine.Float16 {
		packed := make([]float32, (len(src)+1)/2)
		engine.PackFloat16(packed, src)
		src = packed
	}
	r := rng{al.blk.id, al.off, al.off + al.bytes}
	if al.blk.ptr != nil {
		if d.rec.touches(r) {
			if err := d.rec.wait(); err != nil {
				d.setErr(err)
				return
			}
		}
		dst := unsafe.Slice((*float32)(unsafe.Add(al.blk.ptr, al.off)), len(src))
		copy(dst, src)
		return
	}
	d.transfer(al, src, true)
}

// DownloadStalls implements engine.DownloadStaller: Download submits the
// queued work and waits for its fence.
func (d *Device) DownloadStalls() bool { return true }

// Download waits for queued work and copies t into dst.
func (d *Device) Download(t *engine.Tensor, dst []float32) error {
	al := d.allocOf("Download", t)
	if len(dst) != t.Numel() {
		panic(fmt.Sprintf("engine/vulkan: Download: %d values for tensor %v", len(dst), t))
	}
	if err := d.Flush(); err != nil {
		return err
	}
	if al == nil {
		return fmt.Errorf("engine/vulkan: Download: tensor %v has no memory", t)
	}
	if t.DType() == engine.Float16 {
		packed := make([]float32, (len(dst)+1)/2)
		if err := d.downloadWords(al, packed); err != nil {
			return err
		}
		engine.UnpackFloat16(dst, packed)
		return nil
	}
	return d.downloadWords(al, dst)
}

// downloadWords copies al's words into dst (len(dst)*4 == al.bytes).
func (d *Device) downloadWords(al *alloc, dst []float32) error {
	if al.blk.ptr != nil {
		src := unsafe.Slice((*float32)(unsafe.Add(al.blk.ptr, al.off)), len(dst))
		copy(dst, src)
		return nil
	}
	d.transfer(al, dst, false)
	return d.err
}

// transfer copies between host data and device-local al through the
// staging buffer, synchronously (staging mode only).
func (d *Device) transfer(al *alloc, data []float32, upload bool) {
	if err := d.rec.wait(); err != nil {
		d.setErr(err)
		return
	}
	st, err := d.mem.stagingBlock(al.bytes)
	if err != nil {
		d.setErr(fmt.Errorf("engine/vulkan: staging buffer: %w", err))
		return
	}
	host := unsafe.Slice((*float32)(st.ptr), len(data))
	if upload {
		copy(host, data)
	}
	if err := d.rec.begin(); err != nil {
		d.setErr(err)
		return
	}
	cmd := d.rec.cur.cmd
	mb := []vk.MemoryBarrier{{
		SType:         vk.StructureTypeMemoryBarrier,
		SrcAccessMask: vk.AccessFlags(vk.AccessShaderWriteBit | vk.AccessShaderReadBit | vk.AccessTransferWriteBit),
		DstAccessMask: vk.AccessFlags(vk.AccessTransferReadBit | vk.AccessTransferWriteBit),
	}}
	vk.CmdPipelineBarrier(cmd, vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit|vk.PipelineStageTransferBit),
		vk.PipelineStageFlags(vk.PipelineStageTransferBit), 0, 1, mb, 0, nil, 0, nil)
	region := []vk.BufferCopy{{SrcOffset: 0, DstOffset: vk.DeviceSize(al.off), Size: vk.DeviceSize(al.bytes)}}
	if upload {
		vk.CmdCopyBuffer(cmd, st.buf, al.blk.buf, 1, region)
	} else {
		region[0].SrcOffset, region[0].DstOffset = vk.DeviceSize(al.off), 0
		vk.CmdCopyBuffer(cmd, al.blk.buf, st.buf, 1, region)
	}
	mb2 := []vk.MemoryBarrier{{
		SType:         vk.StructureTypeMemoryBarrier,
		SrcAccessMask: vk.AccessFlags(vk.AccessTransferWriteBit),
		DstAccessMask: vk.AccessFlags(vk.AccessShaderReadBit | vk.AccessShaderWriteBit | vk.AccessHostReadBit),
	}}
	vk.CmdPipelineBarrier(cmd, vk.PipelineStageFlags(vk.PipelineStageTransferBit),
		vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit|vk.PipelineStageHostBit), 0, 1, mb2, 0, nil, 0, nil)
	if err := d.rec.wait(); err != nil {
		d.setErr(err)
		return
	}
	if !upload {
		copy(data, host)
	}
}

// Release returns t's memory for reuse (safe while queued work still reads
// it: later writes to the range wait behind a barrier).
func (d *Device) Release(t *engine.Tensor) {
	engine.CheckBackend("Release", d.owner, t)
	if t.IsView() {
		panic("engine/vulkan: Release: tensor is a view; release its base")
	}
	if t.Released() {
		return
	}
	t.MarkReleased()
	al, _ := t.Storage.(*alloc)
	if al == nil || al.sub || d.closed {
		return
	}
	d.mem.release(al)
}

// Flush submits queued work, waits for it and returns the sticky error.
func (d *Device) Flush() error {
	if d.closed {
		return d.err
	}
	if err := d.rec.wait(); err != nil {
		d.setErr(err)
	}
	return d.err
}

// EmptyCache waits for queued work and returns the spare blocks of large
// released tensors to the driver (as torch.cuda.empty_cache does); they are
// otherwise kept for reuse, and returned only when an allocation would
// fail. Returns the sticky error.
func (d *Device) EmptyCache() error {
	if err := d.Flush(); err != nil {
		return err
	}
	d.mem.trim()
	return nil
}

// MemStats returns the allocator's statistics.
func (d *Device) MemStats() engine.MemStats { return d.mem.stats }

// ResetPeak sets Peak to the current InUse.
func (d *Device) ResetPeak() { d.mem.stats.Peak = d.mem.stats.InUse }
