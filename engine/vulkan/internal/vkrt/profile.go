package vkrt

import (
	"fmt"
	"sort"
)

// EnableProfile turns per-op GPU timing with timestamp queries on or off.
// It returns an error when the device's queue has no timestamps
// (timestampValidBits 0 or timestampPeriod 0). Timing starts with the next
// recorded command buffer. Dispatches without a barrier between them may
// overlap, so their times can add up to more than the wall time.
func (d *Device) EnableProfile(on bool) error {
	if on && !d.rec.canProfile {
		return fmt.Errorf("engine/vulkan: EnableProfile: device %q has no compute timestamps", d.info.Name)
	}
	if on != d.rec.profiling {
		if err := d.Flush(); err != nil {
			return err
		}
	}
	d.rec.profiling = on
	return nil
}

// Profile returns the accumulated per-op GPU times (after a Flush), sorted
// by total time, largest first.
func (d *Device) Profile() []OpTime {
	out := make([]OpTime, 0, len(d.rec.prof))
	for _, ot := range d.rec.prof {
		out = append(out, *ot)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Op < out[j].Op
	})
	return out
}

// ResetProfile clears the accumulated per-op times.
func (d *Device) ResetProfile() { d.rec.prof = map[string]*OpTime{} }
