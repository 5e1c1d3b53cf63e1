package vkrt

import (
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// The recorder records every op into one command buffer (a frame) and
// submits it on Flush, on Download / Upload when they need the results,
// and every submitEvery dispatches (those early submits do not wait; at
// most maxInflight frames run at once): on GPUs every gpuSubmitEvery, so
// the GPU starts on the first ops of a training step while the host is
// still recording the rest (recording a step's dispatches takes
// milliseconds, during which a GPU given nothing would sit idle:
// docs/performance.md, P8); on CPU devices every maxDispatchesPerSubmit, so that a
// long recording never trips a driver timeout.
//
// Barriers: it remembers the ranges written and read since the last
// barrier. A dispatch gets one compute->compute memory barrier before it
// only when it reads or writes a range written since that barrier
// (read-after-write, write-after-write) or writes a range read since then
// (write-after-read, e.g. memory reused after Release). Independent
// dispatches therefore run without barriers between them.

const (
	maxDispatchesPerSubmit = 1000
	gpuSubmitEvery         = 128
	maxInflight            = 2
	setsPerPool            = 1024
	descriptorsPerPool     = setsPerPool * 12
)

// rng is a byte range [off, end) of one block.
type rng struct {
	blk      int
	off, end uint64
}

func (a rng) overlaps(b rng) bool { return a.blk == b.blk && a.off < b.end && b.off < a.end }

func overlapsAny(r rng, list []rng) bool {
	for _, x := range list {
		if r.overlaps(x) {
			return true
		}
	}
	return false
}

type frame struct {
	cmd        vk.CommandBuffer
	fence      vk.Fence
	pools      []vk.DescriptorPool
	pool       int // index of the pool sets come from
	query      vk.QueryPool
	stamps     []string // op name of each timestamp pair
	dispatches int
}

// OpTime is the GPU time of one op name over the profiled dispatches.
type OpTime struct {
	Op    string
	Count int
	Total time.Duration
}

type recorder struct {
	d        *Device
	cmdPool  vk.CommandPool
	cur      *frame
	inflight []*frame
	free     []*frame

	written, read []rng // since the last barrier
	touched       []rng // by work recorded or running since the last wait

	profiling     bool
	canProfile    bool
	periodNs      float64
	timestampMask uint64
	prof          map[string]*OpTime

	submitEvery int // dispatches per frame before an early submit

	// Counters for tests.
	nBarriers, nDispatches, nSubmits int
}

func newRecorder(d *Device) (*recorder, error) {
	ci := &vk.CommandPoolCreateInfo{
		SType:            vk.StructureTypeCommandPoolCreateInfo,
		Flags:            vk.CommandPoolCreateFlags(vk.CommandPoolCreateResetCommandBufferBit),
		QueueFamilyIndex: d.qfam,
	}
	var pool vk.CommandPool
	res := vk.CreateCommandPool(d.dev, ci, nil, &pool)
	ci.Free()
	if res != vk.Success {
		return nil, vkErr("vkCreateCommandPool", res)
	}
	r := &recorder{d: d, cmdPool: pool, prof: map[string]*OpTime{}, submitEvery: maxDispatchesPerSubmit}
	if d.info.Type != "cpu" {
		r.submitEvery = gpuSubmitEvery
	}
	r.canProfile = d.timestampBits > 0 && d.limit.TimestampPeriod > 0
	r.periodNs = float64(d.limit.TimestampPeriod)
	if d.timestampBits >= 64 {
		r.timestampMask = ^uint64(0)
	} else {
		r.timestampMask = (uint64(1) << d.timestampBits) - 1
	}
	return r, nil
}

func (r *recorder) newFrame() (*frame, error) {
	d := r.d
	ai := &vk.CommandBufferAllocateInfo{
		SType:              vk.StructureTypeCommandBufferAllocateInfo,
		CommandPool:        r.cmdPool,
		Level:              vk.CommandBufferLevelPrimary,
		CommandBufferCount: 1,
	}
	cmds := make([]vk.CommandBuffer, 1)
	res := vk.AllocateCommandBuffers(d.dev, ai, cmds)
	ai.Free()
	if res != vk.Success {
		return nil, vkErr("vkAllocateCommandBuffers", res)
	}
	fci := &vk.FenceCreateInfo{SType: vk.StructureTypeFenceCreateInfo}
	var fence vk.Fence
	res = vk.CreateFence(d.dev, fci, nil, &fence)
	fci.Free()
	if res != vk.Success {
		vk.FreeCommandBuffers(d.dev, r.cmdPool, 1, cmds)
		return nil, vkErr("vkCreateFence", res)
	}
	f := &frame{cmd: cmds[0], fence: fence}
	if r.canProfile {
		qci := &vk.QueryPoolCreateInfo{
			SType:      vk.StructureTypeQueryPoolCreateInfo,
			QueryType:  vk.QueryTypeTimestamp,
			QueryCount: 2 * maxDispatchesPerSubmit,
		}
		var q vk.QueryPool
		res := vk.CreateQueryPool(d.dev, qci, nil, &q)
		qci.Free()
		if res != vk.Success {
			r.canProfile = false
		} else {
			f.query = q
		}
	}
	return f, nil
}

func (r *recorder) newPool() (vk.DescriptorPool, error) {
	ci := &vk.DescriptorPoolCreateInfo{
		SType:         vk.StructureTypeDescriptorPoolCreateInfo,
		MaxSets:       setsPerPool,
		PoolSizeCount: 1,
		PPoolSizes:    []vk.DescriptorPoolSize{{Type: vk.DescriptorTypeStorageBuffer, DescriptorCount: descriptorsPerPool}},
	}
	var p vk.DescriptorPool
	res := vk.CreateDescriptorPool(r.d.dev, ci, nil, &p)
	ci.Free()
	if res != vk.Success {
		return p, vkErr("vkCreateDescriptorPool", res)
	}
	return p, nil
}

// begin makes sure a frame is recording.
func (r *recorder) begin() error {
	if r.cur != nil {
		return nil
	}
	var f *frame
	if n := len(r.free); n > 0 {
		f, r.free = r.free[n-1], r.free[:n-1]
	} else {
		var err error
		if f, err = r.newFrame(); err != nil {
			return err
		}
	}
	bi := &vk.CommandBufferBeginInfo{SType: vk.StructureTypeCommandBufferBeginInfo, Flags: vk.CommandBufferUsageFlags(vk.CommandBufferUsageOneTimeSubmitBit)}
	res := vk.BeginCommandBuffer(f.cmd, bi)
	bi.Free()
	if res != vk.Success {
		r.free = append(r.free, f)
		return vkErr("vkBeginCommandBuffer", res)
	}
	if r.profiling && f.query != vk.NullQueryPool {
		vk.CmdResetQueryPool(f.cmd, f.query, 0, 2*maxDispatchesPerSubmit)
	}
	r.cur = f
	return nil
}

// descriptorSet allocates a set of layout l from the current frame's pools.
func (r *recorder) descriptorSet(l *layout) (vk.DescriptorSet, error) {
	f := r.cur
	for {
		if f.pool == len(f.pools) {
			p, err := r.newPool()
			if err != nil {
				return vk.NullDescriptorSet, err
			}
			f.pools = append(f.pools, p)
		}
		ai := &vk.DescriptorSetAllocateInfo{
			SType:              vk.StructureTypeDescriptorSetAllocateInfo,
			DescriptorPool:     f.pools[f.pool],
			DescriptorSetCount: 1,
			PSetLayouts:        []vk.DescriptorSetLayout{l.set},
		}
		var set vk.DescriptorSet
		res := vk.AllocateDescriptorSets(r.d.dev, ai, &set)
		ai.Free()
		switch res {
		case vk.Success:
			return set, nil
		case vk.ErrorOutOfPoolMemory, vk.ErrorFragmentedPool:
			f.pool++
		default:
			return vk.NullDescriptorSet, vkErr("vkAllocateDescriptorSets", res)
		}
	}
}

// barrier records a global compute->compute memory barrier.
func (r *recorder) barrier() {
	mb := []vk.MemoryBarrier{{
		SType:         vk.StructureTypeMemoryBarrier,
		SrcAccessMask: vk.AccessFlags(vk.AccessShaderWriteBit | vk.AccessShaderReadBit),
		DstAccessMask: vk.AccessFlags(vk.AccessShaderWriteBit | vk.AccessShaderReadBit),
	}}
	st := vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit)
	vk.CmdPipelineBarrier(r.cur.cmd, st, st, 0, 1, mb, 0, nil, 0, nil)
	r.written = r.written[:0]
	r.read = r.read[:0]
	r.nBarriers++
}

// dispatch records one dispatch of p. binds are the storage buffers of
// bindings 0..n-1; push is copied into the push constants.
func (r *recorder) dispatch(p *pipeline, push []byte, groups [3]uint32, binds []boundArg) error {
	if err := r.begin(); err != nil {
		return err
	}
	f := r.cur
	// Hazards against the work since the last barrier.
	hazard := false
	for _, b := range binds {
		if overlapsAny(b.r, r.written) || (b.write && overlapsAny(b.r, r.read)) {
			hazard = true
			break
		}
	}
	if hazard {
		r.barrier()
	}
	set, err := r.descriptorSet(p.layout)
	if err != nil {
		return err
	}
	writes := make([]vk.WriteDescriptorSet, len(binds))
	for i, b := range binds {
		writes[i] = vk.WriteDescriptorSet{
			SType:           vk.StructureTypeWriteDescriptorSet,
			DstSet:          set,
			DstBinding:      uint32(i),
			DescriptorCount: 1,
			DescriptorType:  vk.DescriptorTypeStorageBuffer,
			PBufferInfo:     []vk.DescriptorBufferInfo{{Buffer: b.buf, Offset: vk.DeviceSize(b.r.off), Range: vk.DeviceSize(b.r.end - b.r.off)}},
		}
	}
	vk.UpdateDescriptorSets(r.d.dev, uint32(len(writes)), writes, 0, nil)
	vk.CmdBindPipeline(f.cmd, vk.PipelineBindPointCompute, p.h)
	vk.CmdBindDescriptorSets(f.cmd, vk.PipelineBindPointCompute, p.layout.pipe, 0, 1, []vk.DescriptorSet{set}, 0, nil)
	if len(push) > 0 {
		vk.CmdPushConstants(f.cmd, p.layout.pipe, vk.ShaderStageFlags(vk.ShaderStageComputeBit), 0, uint32(len(push)), unsafe.Pointer(&push[0]))
	}
	prof := r.profiling && f.query != vk.NullQueryPool
	if prof {
		vk.CmdWriteTimestamp(f.cmd, vk.PipelineStageComputeShaderBit, f.query, uint32(2*len(f.stamps)))
	}
	vk.CmdDispatch(f.cmd, groups[0], groups[1], groups[2])
	if prof {
		vk.CmdWriteTimestamp(f.cmd, vk.PipelineStageComputeShaderBit, f.query, uint32(2*len(f.stamps)+1))
		f.stamps = append(f.stamps, p.name)
	}
	for _, b := range binds {
		if b.write {
			r.written = append(r.written, b.r)
		} else {
			r.read = append(r.read, b.r)
		}
		r.touched = append(r.touched, b.r)
	}
	f.dispatches++
	r.nDispatches++
	if f.dispatches >= r.submitEvery {
		return r.submit()
	}
	return nil
}

// submit ends and submits the current frame without waiting.
func (r *recorder) submit() error {
	f := r.cur
	if f == nil {
		return nil
	}
	r.cur = nil
	// Make shader writes visible to host reads and transfers.
	mb := []vk.MemoryBarrier{{
		SType:         vk.StructureTypeMemoryBarrier,
		SrcAccessMask: vk.AccessFlags(vk.AccessShaderWriteBit),
		DstAccessMask: vk.AccessFlags(vk.AccessHostReadBit | vk.AccessTransferReadBit | vk.AccessTransferWriteBit),
	}}
	vk.CmdPipelineBarrier(f.cmd, vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit),
		vk.PipelineStageFlags(vk.PipelineStageHostBit|vk.PipelineStageTransferBit), 0, 1, mb, 0, nil, 0, nil)
	t0 := time.Now()
	if res := vk.EndCommandBuffer(f.cmd); res != vk.Success {
		r.recycle(f, false)
		return vkErr("vkEndCommandBuffer", res)
	}
	si := []vk.SubmitInfo{{
		SType:              vk.StructureTypeSubmitInfo,
		CommandBufferCount: 1,
		PCommandBuffers:    []vk.CommandBuffer{f.cmd},
	}}
	if res := vk.QueueSubmit(r.d.queue, 1, si, f.fence); res != vk.Success {
		r.recycle(f, false)
		return vkErr("vkQueueSubmit", res)
	}
	r.d.host.SubmitTime += time.Since(t0) // not the back-pressure wait below (WaitTime)
	r.nSubmits++
	r.inflight = append(r.inflight, f)
	if len(r.inflight) > maxInflight {
		old := r.inflight[0]
		r.inflight = r.inflight[1:]
		if err := r.waitFrame(old); err != nil {
			return err
		}
	}
	return nil
}

func (r *recorder) waitFrame(f *frame) error {
	t0 := time.Now()
	res := vk.WaitForFences(r.d.dev, 1, []vk.Fence{f.fence}, vk.True, ^uint64(0))
	r.d.host.Waits++
	r.d.host.WaitTime += time.Since(t0)
	if res != vk.Success {
		r.recycle(f, false)
		return vkErr("vkWaitForFences", res)
	}
	r.recycle(f, true)
	return nil
}

// recycle resets a finished (or failed) frame for reuse, collecting its
// timestamps when ok.
func (r *recorder) recycle(f *frame, ok bool) {
	d := r.d
	if ok && len(f.stamps) > 0 {
		n := 2 * len(f.stamps)
		data := make([]uint64, n)
		res := vk.GetQueryPoolResults(d.dev, f.query, 0, uint32(n), uint(8*n), unsafe.Pointer(&data[0]), 8,
			vk.QueryResultFlags(vk.QueryResult64Bit|vk.QueryResultWaitBit))
		if res == vk.Success {
			for i, name := range f.stamps {
				dt := (data[2*i+1] - data[2*i]) & r.timestampMask
				ot := r.prof[name]
				if ot == nil {
					ot = &OpTime{Op: name}
					r.prof[name] = ot
				}
				ot.Count++
				ot.Total += time.Duration(float64(dt) * r.periodNs)
			}
		}
	}
	vk.ResetFences(d.dev, 1, []vk.Fence{f.fence})
	vk.ResetCommandBuffer(f.cmd, 0)
	for _, p := range f.pools {
		vk.ResetDescriptorPool(d.dev, p, 0)
	}
	f.pool = 0
	f.stamps = f.stamps[:0]
	f.dispatches = 0
	r.free = append(r.free, f)
}

// wait submits the current frame and waits for everything queued; the
// barrier state starts afresh.
func (r *recorder) wait() error {
	err := r.submit()
	for _, f := range r.inflight {
		if e := r.waitFrame(f); e != nil && err == nil {
			err = e
		}
	}
	r.inflight = r.inflight[:0]
	r.written = r.written[:0]
	r.read = r.read[:0]
	r.touched = r.touched[:0]
	return err
}

// touches reports whether queued work reads or writes x.
func (r *recorder) touches(x rng) bool { return overlapsAny(x, r.touched) }

func (r *recorder) destroy() {
	d := r.d
	frames := append(append([]*frame(nil), r.free...), r.inflight...)
	if r.cur != nil {
		frames = append(frames, r.cur)
	}
	for _, f := range frames {
		vk.DestroyFence(d.dev, f.fence, nil)
		for _, p := range f.pools {
			vk.DestroyDescriptorPool(d.dev, p, nil)
		}
		if f.query != vk.NullQueryPool {
			vk.DestroyQueryPool(d.dev, f.query, nil)
		}
	}
	vk.DestroyCommandPool(d.dev, r.cmdPool, nil)
}
