package vkrt

import (
	"fmt"
	"sort"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"

	"simclr-vk/engine"
)

// Memory: tensors are sub-allocated from large VkDeviceMemory blocks, each
// with one VkBuffer covering it, at offsets aligned to
// minStorageBufferOffsetAlignment. Each block keeps a sorted free list whose
// neighbouring ranges are coalesced on release, so released memory is reused
// (the recorder's write-after-read tracking makes reuse of memory still read
// by queued work safe). Tensors larger than a block get a block of their own
// (dedicated); released, it is kept as a spare for the next tensor of about
// its size (a training step allocates the same large activations and
// Winograd scratch every step), like PyTorch's caching allocator. Spares go
// back to the driver when an allocation would otherwise fail, and on Close.
//
// Memory type: on CPU and integrated devices, device-local + host-visible +
// host-coherent memory (one pool of RAM): tensors are mapped and Upload /
// Download copy directly. On discrete GPUs, device-local memory with a
// host-visible staging buffer (host-cached where the driver offers it, for
// fast downloads) and transfer commands, even where ReBAR makes all of
// video memory host-visible: there, mapping every block and zeroing new
// tensors from the CPU crossed PCIe (most of a step went to allocation and
// host writes to video memory: docs/performance.md, P7), while the GPU
// zeroes at its own bandwidth.

const (
	maxBlockSize = 256 << 20
	minBlockSize = 16 << 20
)

type span struct{ off, size uint64 }

type block struct {
	id        int
	mem       vk.DeviceMemory
	buf       vk.Buffer
	size      uint64
	ptr       unsafe.Pointer // mapped base; nil in staging mode
	free      []span         // sorted by offset, coalesced
	dedicated bool
}

// alloc is the Storage of a Vulkan tensor: a range of one block.
type alloc struct {
	blk   *block
	off   uint64
	size  uint64 // aligned size held in the block
	bytes uint64 // 4 * numel
	sub   bool   // a range inside another alloc (guard-band tests): not freed alone
}

type allocator struct {
	d         *Device
	align     uint64
	blockSize uint64
	typeIndex uint32
	heapSize  uint64
	mapped    bool
	hostType  uint32 // host-visible coherent type for staging (staging mode)
	blocks    []*block
	nextID    int
	stats     engine.MemStats
	spare     []*block // released dedicated blocks kept for reuse
	limit     uint64   // tests: Reserved may not pass it (0: no limit)

	staging *block // staging mode only
}

const bufferUsage = vk.BufferUsageFlags(vk.BufferUsageStorageBufferBit | vk.BufferUsageTransferSrcBit | vk.BufferUsageTransferDstBit)

func newAllocator(d *Device, mp vk.PhysicalDeviceMemoryProperties) (*allocator, error) {
	a := &allocator{d: d, align: uint64(d.limit.MinStorageBufferOffsetAlignment)}
	if a.align < 16 {
		a.align = 16
	}
	// Memory types a storage buffer may use.
	buf, req, err := d.createBuffer(4096)
	if err != nil {
		return nil, err
	}
	vk.DestroyBuffer(d.dev, buf, nil)

	const dl = vk.MemoryPropertyFlags(vk.MemoryPropertyDeviceLocalBit)
	const hvc = vk.MemoryPropertyFlags(vk.MemoryPropertyHostVisibleBit | vk.MemoryPropertyHostCoherentBit)
	find := func(want vk.MemoryPropertyFlags) (uint32, uint64, bool) {
		for i := uint32(0); i < mp.MemoryTypeCount; i++ {
			t := mp.MemoryTypes[i]
			if req.MemoryTypeBits&(1<<i) != 0 && t.PropertyFlags&want == want {
				mp.MemoryHeaps[t.HeapIndex].Deref()
				return i, uint64(mp.MemoryHeaps[t.HeapIndex].Size), true
			}
		}
		return 0, 0, false
	}
	dlTi, dlHeap, hasDL := find(dl)
	mapTi, mapHeap, hasMap := find(dl | hvc)
	hostTi, hostHeap, hasHost := find(hvc)
	if ti, heap, ok := find(hvc | vk.MemoryPropertyFlags(vk.MemoryPropertyHostCachedBit)); ok && (d.forceStaging || d.info.Type == "discrete") {
		// Staging: CPU reads of uncached (write-combined) memory crawl.
		hostTi, hostHeap = ti, heap
	}
	switch {
	case d.forceStaging && hasHost:
		a.typeIndex, a.heapSize, a.hostType = hostTi, hostHeap, hostTi
		if hasDL {
			a.typeIndex, a.heapSize = dlTi, dlHeap
		}
	case hasMap && (d.info.Type != "discrete" || !hasDL):
		a.typeIndex, a.heapSize, a.mapped = mapTi, mapHeap, true
	case hasDL && hasHost:
		a.typeIndex, a.heapSize, a.hostType = dlTi, dlHeap, hostTi
	case hasHost:
		a.typeIndex, a.heapSize, a.mapped = hostTi, hostHeap, true
	default:
		return nil, fmt.Errorf("engine/vulkan: device %q has no usable memory type for storage buffers", d.info.Name)
	}
	a.blockSize = maxBlockSize
	for a.blockSize > minBlockSize && a.blockSize > a.heapSize/8 {
		a.blockSize /= 2
	}
	return a, nil
}

// createBuffer creates a storage VkBuffer of size bytes, without memory,
// and returns it with its memory requirements.
func (d *Device) createBuffer(size uint64) (vk.Buffer, vk.MemoryRequirements, error) {
	ci := &vk.BufferCreateInfo{SType: vk.StructureTypeBufferCreateInfo, Size: vk.DeviceSize(size), Usage: bufferUsage, SharingMode: vk.SharingModeExclusive}
	var buf vk.Buffer
	res := vk.CreateBuffer(d.dev, ci, nil, &buf)
	ci.Free()
	var req vk.MemoryRequirements
	if res != vk.Success {
		return buf, req, vkErr("vkCreateBuffer", res)
	}
	vk.GetBufferMemoryRequirements(d.dev, buf, &req)
	req.Deref()
	return buf, req, nil
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) / a * a }

// newBlock creates a VkBuffer of size bytes with its own memory (mapped in
// mapped mode); host selects the staging memory type.
func (a *allocator) newBlock(size uint64, host bool) (*block, error) {
	d := a.d
	t0 := time.Now()
	defer func() { d.host.BlockTime += time.Since(t0) }()
	ti := a.typeIndex
	if host {
		ti = a.hostType
	}
	buf, req, err := d.createBuffer(size)
	if err != nil {
		return nil, err
	}
	if uint64(req.Size) > a.heapSize || (a.limit > 0 && uint64(a.stats.Reserved)+uint64(req.Size) > a.limit) {
		vk.DestroyBuffer(d.dev, buf, nil)
		return nil, vkErr("vkAllocateMemory", vk.ErrorOutOfDeviceMemory)
	}
	ai := &vk.MemoryAllocateInfo{SType: vk.StructureTypeMemoryAllocateInfo, AllocationSize: req.Size, MemoryTypeIndex: ti}
	var mem vk.DeviceMemory
	res := vk.AllocateMemory(d.dev, ai, nil, &mem)
	ai.Free()
	if res != vk.Success {
		vk.DestroyBuffer(d.dev, buf, nil)
		return nil, vkErr("vkAllocateMemory", res)
	}
	if res := vk.BindBufferMemory(d.dev, buf, mem, 0); res != vk.Success {
		vk.DestroyBuffer(d.dev, buf, nil)
		vk.FreeMemory(d.dev, mem, nil)
		return nil, vkErr("vkBindBufferMemory", res)
	}
	d.host.Blocks++
	d.host.BlockBytes += int64(size)
	b := &block{id: a.nextID, mem: mem, buf: buf, size: size, free: []span{{0, size}}}
	a.nextID++
	if a.mapped || host {
		var p unsafe.Pointer
		if res := vk.MapMemory(d.dev, mem, 0, vk.DeviceSize(vk.WholeSize), 0, &p); res != vk.Success {
			a.destroyBlock(b)
			return nil, vkErr("vkMapMemory", res)
		}
		b.ptr = p
	}
	return b, nil
}

func (a *allocator) destroyBlock(b *block) {
	if b.ptr != nil {
		vk.UnmapMemory(a.d.dev, b.mem)
	}
	vk.DestroyBuffer(a.d.dev, b.buf, nil)
	vk.FreeMemory(a.d.dev, b.mem, nil)
}

// take carves size bytes from b's free list (first fit) or reports false.
func (b *block) take(size uint64) (uint64, bool) {
	for i, s := range b.free {
		if s.size >= size {
			off := s.off
			if s.size == size {
				b.free = append(b.free[:i], b.free[i+1:]...)
			} else {
				b.free[i] = span{s.off + size, s.size - size}
			}
			return off, true
		}
	}
	return 0, false
}

// give returns [off, off+size) to b's free list, merging neighbours.
func (b *block) give(off, size uint64) {
	i := sort.Search(len(b.free), func(i int) bool { return b.free[i].off > off })
	b.free = append(b.free, span{})
	copy(b.free[i+1:], b.free[i:])
	b.free[i] = span{off, size}
	if i+1 < len(b.free) && b.free[i].off+b.free[i].size == b.free[i+1].off {
		b.free[i].size += b.free[i+1].size
		b.free = append(b.free[:i+1], b.free[i+2:]...)
	}
	if i > 0 && b.free[i-1].off+b.free[i-1].size == b.free[i].off {
		b.free[i-1].size += b.free[i].size
		b.free = append(b.free[:i], b.free[i+1:]...)
	}
}

// allocate returns an aligned range of at least bytes bytes. Where the
// driver has no memory left it returns the spare dedicated blocks (after
// the queued work, which may still use them, ends) and tries once more.
func (a *allocator) allocate(bytes uint64) (*alloc, error) {
	al, err := a.tryAllocate(bytes)
	if err != nil && len(a.spare) > 0 {
		if werr := a.d.rec.wait(); werr != nil {
			return nil, werr
		}
		a.trim()
		al, err = a.tryAllocate(bytes)
	}
	return al, err
}

// dedicatedGranule rounds dedicated blocks up so that tensors of nearly
// the same size share spares.
const dedicatedGranule = 2 << 20

func (a *allocator) tryAllocate(bytes uint64) (*alloc, error) {
	size := alignUp(max(bytes, 4), a.align)
	if size > a.blockSize {
		size = alignUp(size, dedicatedGranule)
		b := a.takeSpare(size)
		if b == nil {
			var err error
			if b, err = a.newBlock(size, false); err != nil {
				return nil, err
			}
			b.dedicated = true
			b.free = nil
			a.stats.Reserved += int64(b.size)
		}
		a.blocks = append(a.blocks, b)
		return a.account(&alloc{blk: b, off: 0, size: b.size, bytes: bytes}), nil
	}
	for _, b := range a.blocks {
		if b.dedicated {
			continue
		}
		if off, ok := b.take(size); ok {
			return a.account(&alloc{blk: b, off: off, size: size, bytes: bytes}), nil
		}
	}
	b, err := a.newBlock(a.blockSize, false)
	if err != nil {
		return nil, err
	}
	a.blocks = append(a.blocks, b)
	a.stats.Reserved += int64(b.size)
	off, _ := b.take(size)
	return a.account(&alloc{blk: b, off: off, size: size, bytes: bytes}), nil
}

// takeSpare removes and returns the smallest spare of at least size bytes
// and at most a quarter more (a larger one would hold memory idle), nil if
// none.
func (a *allocator) takeSpare(size uint64) *block {
	best := -1
	for i, b := range a.spare {
		if b.size >= size && b.size <= size+size/4 && (best < 0 || b.size < a.spare[best].size) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := a.spare[best]
	a.spare = append(a.spare[:best], a.spare[best+1:]...)
	return b
}

func (a *allocator) account(al *alloc) *alloc {
	a.stats.InUse += int64(al.size)
	a.stats.Tensors++
	if a.stats.InUse > a.stats.Peak {
		a.stats.Peak = a.stats.InUse
	}
	return al
}

// release returns al's range. A dedicated block becomes a spare: queued
// work may still read it, which the recorder's tracking of its id keeps
// ordered before any new writer, as for ranges of shared blocks.
func (a *allocator) release(al *alloc) {
	a.stats.InUse -= int64(al.size)
	a.stats.Tensors--
	b := al.blk
	if b.dedicated {
		for i, x := range a.blocks {
			if x == b {
				a.blocks = append(a.blocks[:i], a.blocks[i+1:]...)
				break
			}
		}
		a.spare = append(a.spare, b)
		return
	}
	b.give(al.off, al.size)
}

// trim returns the spare dedicated blocks to the driver; the caller makes
// sure no queued work uses them.
func (a *allocator) trim() {
	for _, b := range a.spare {
		a.stats.Reserved -= int64(b.size)
		a.destroyBlock(b)
	}
	a.spare = nil
}

// stagingBlock returns a host-visible buffer of at least size bytes
// (staging mode).
func (a *allocator) stagingBlock(size uint64) (*block, error) {
	if a.staging != nil && a.staging.size >= size {
		return a.staging, nil
	}
	if a.staging != nil {
		a.destroyBlock(a.staging)
		a.staging = nil
	}
	sz := alignUp(max(size, 1<<20), 1<<20)
	b, err := a.newBlock(sz, true)
	if err != nil {
		return nil, err
	}
	a.staging = b
	return b, nil
}

func (a *allocator) destroy() {
	a.trim()
	for _, b := range a.blocks {
		a.destroyBlock(b)
	}
	a.blocks = nil
	if a.staging != nil {
		a.destroyBlock(a.staging)
		a.staging = nil
	}
}
