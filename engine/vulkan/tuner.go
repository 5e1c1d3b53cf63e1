package vulkan

import "time"

// TuneTime is the time this device has spent timing kernel candidates
// (GEMM shape classes and convolution problems, the agreement checks
// included) since it opened: what autotuning added to the first steps.
func (d *Device) TuneTime() time.Duration {
	if d.tune.tuner == nil {
		return 0
	}
	return d.tune.tuner.Spent
}
