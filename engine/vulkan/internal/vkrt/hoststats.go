package vkrt

import "time"

// HostStats counts where a Device's host time goes, cumulative since Open:
// what a step's wall time holds beyond its GPU kernels (Profile has those).
// Take two and Sub them to cover an interval.
type HostStats struct {
	Dispatches int `json:"dispatches"`
	Barriers   int `json:"barriers"`
	// Submits: command buffers submitted; SubmitTime in vkEndCommandBuffer
	// and vkQueueSubmit.
	Submits    int           `json:"submits"`
	SubmitTime time.Duration `json:"submit_ns"`
	// WaitTime: blocked in vkWaitForFences (the GPU still busy).
	Waits    int           `json:"waits"`
	WaitTime time.Duration `json:"wait_ns"`
	// Blocks: VkDeviceMemory allocations (vkCreateBuffer, vkAllocateMemory,
	// vkBindBufferMemory, vkMapMemory), BlockBytes of them.
	Blocks     int           `json:"blocks"`
	BlockBytes int64         `json:"block_bytes"`
	BlockTime  time.Duration `json:"block_ns"`
	// Pipelines created (first use of a shader and specialization).
	Pipelines    int           `json:"pipelines"`
	PipelineTime time.Duration `json:"pipeline_ns"`
	// HostZero: new tensors zeroed by the CPU (mapped memory only).
	HostZeroBytes int64         `json:"host_zero_bytes"`
	HostZeroTime  time.Duration `json:"host_zero_ns"`
}

// Sub returns s - o, the counts of the interval between two snapshots.
func (s HostStats) Sub(o HostStats) HostStats {
	return HostStats{
		Dispatches: s.Dispatches - o.Dispatches, Barriers: s.Barriers - o.Barriers,
		Submits: s.Submits - o.Submits, SubmitTime: s.SubmitTime - o.SubmitTime,
		Waits: s.Waits - o.Waits, WaitTime: s.WaitTime - o.WaitTime,
		Blocks: s.Blocks - o.Blocks, BlockBytes: s.BlockBytes - o.BlockBytes, BlockTime: s.BlockTime - o.BlockTime,
		Pipelines: s.Pipelines - o.Pipelines, PipelineTime: s.PipelineTime - o.PipelineTime,
		HostZeroBytes: s.HostZeroBytes - o.HostZeroBytes, HostZeroTime: s.HostZeroTime - o.HostZeroTime,
	}
}

// HostStats returns the counters so far.
func (d *Device) HostStats() HostStats {
	s := d.host
	s.Dispatches, s.Barriers, s.Submits = d.rec.nDispatches, d.rec.nBarriers, d.rec.nSubmits
	return s
}
