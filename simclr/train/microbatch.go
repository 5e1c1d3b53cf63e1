package train

import (
	"fmt"
	"strconv"

	"simclr-vk/engine"
	"simclr-vk/internal/bound"
	"simclr-vk/layers"
)

// ParseMicroBatch reads --micro-batch for a batch of batch images: "0" or
// "" (whole batches), an image count 1..batch, or "auto" (auto true, n 0:
// measured once the model is built).
func ParseMicroBatch(s string, batch int) (n int, auto bool, err error) {
	switch s {
	case "", "0":
		return 0, false, nil
	case "auto":
		return 0, true, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 1 || v > int64(batch) {
		return 0, false, fmt.Errorf("%q: want 0 (the whole batch), an image count from 1 to the batch size %d, or auto", s, batch)
	}
	return int(v), false, nil
}

// SetMicroBatch gives m the chunk size of --micro-batch (cfg validated).
// With auto it measures a step's memory per image of c x side x side (see
// layers.Model.FitMicroBatch) against limit bytes (0: the physical memory)
// less what the backend holds, and writes its choice to log; a chunk of
// the whole batch is then 0. Beside the step the budget counts the views:
// where views is nil (the loader's workers render them) the batch's views
// twice, on the host and on the device (bench step holds them there); else
// views(n) is what rendering the views of a chunk of n images on the
// device holds there and on the host (the run's viewBytes: DeviceViewBytes
// and HostViewBytes; deviceStep renders a chunk at a time), counted with
// the chunk's views themselves for the chunk FitMicroBatch picks, and no
// float views are on the host.
func SetMicroBatch(m *layers.Model, b engine.Backend, cfg Config, c, side int, limit uint64, views func(n int) (device, host int64), log func(format string, a ...any)) error {
	mb, auto, err := ParseMicroBatch(cfg.MicroBatch, cfg.BatchSize)
	if err != nil {
		return bound.Errorf("micro-batch", "%v", err)
	}
	if auto {
		if limit == 0 {
			limit = bound.PhysicalMemory()
		}
		// This process's images: the global batch over the ranks.
		n := cfg.BatchSize
		if comm := m.Parallel().Comm; comm != nil {
			n = max(1, n/comm.Size())
		}
		viewBytes := int64(c*side*side) * 4 * 2 // the two float32 views of one image
		var held func(k int) int64
		input := int64(n) * viewBytes * 2
		if views != nil {
			input = 0
			held = func(k int) int64 {
				dev, host := views(k)
				return int64(k)*viewBytes + dev + host
			}
		}
		budget := int64(min(limit, 1<<62)) - b.MemStats().InUse - input
		var per int64
		if mb, per, err = m.FitMicroBatch(c, side, side, budget, n, held); err != nil {
			return bound.Errorf("micro-batch", "auto: %v", err)
		}
		log("micro-batch auto: %d of this process's %d images per chunk (%s per image measured, %s available)\n", mb, n, bound.Bytes(float64(per)), bound.Bytes(float64(budget)))
		if mb >= n {
			mb = 0
		}
	}
	return m.SetMicroBatch(mb)
}
