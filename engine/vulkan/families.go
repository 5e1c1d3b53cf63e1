package vulkan

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/float16"
)

// The engine.Backend methods of the op families that have their own
// package under internal/: one line each, delegating with the runtime.

// ToFloat16 packs src (n) into dst ((n+1)/2) as binary16 (engine.Backend).
func (d *Device) ToFloat16(dst, src *engine.Tensor) { float16.ToFloat16(d.rt, dst, src) }

// FromFloat16 unpacks src ((n+1)/2) into dst (n) (engine.Backend).
func (d *Device) FromFloat16(dst, src *engine.Tensor) { float16.FromFloat16(d.rt, dst, src) }
