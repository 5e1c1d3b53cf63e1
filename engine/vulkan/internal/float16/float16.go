// Package float16 is the Vulkan op family that packs float32 tensors into
// IEEE binary16 storage and back (engine.Backend's ToFloat16 and
// FromFloat16) and rounds them to binary16 values in place (RoundFloat16):
// one invocation per packed word (to_float16.comp) or per float
// (from_float16.comp, round_float16.comp), 256 per workgroup over vkrt's
// Grid1D, integer arithmetic only so that every device rounds as
// engine.Float16Bits.
package float16

import (
	"simclr-vk/engine"
	"simclr-vk/engine/vulkan/internal/vkrt"
)

// Push mirrors `{ uint n; }` of to_float16.comp, from_float16.comp and
// round_float16.comp: n is the number of floats.
type Push struct {
	N uint32
}

// Shaders is the family's kernel table: each shader with its push-constant
// struct (package vulkan's TestPushConstants checks them against the GLSL).
var Shaders = map[string]any{"to_float16": Push{}, "from_float16": Push{}, "round_float16": Push{}}

const local = 256 // local_size_x of the shaders

// ToFloat16 records dst ((n+1)/2 words) = src (n) packed as binary16.
func ToFloat16(rt *vkrt.Device, dst, src *engine.Tensor) {
	engine.CheckBackend("ToFloat16", rt.Owner(), dst, src)
	n := engine.CheckFloat32("ToFloat16", "src", src)
	engine.CheckNumel("ToFloat16", "dst", dst, (n+1)/2)
	rt.Dispatch(vkrt.Kernel{Shader: "to_float16", Push: &Push{uint32(n)}, Groups: rt.Grid1D((n+1)/2, local),
		Args: []vkrt.Arg{vkrt.Out(dst), vkrt.In(src)}})
}

// FromFloat16 records dst (n) = the binary16 values packed in src
// ((n+1)/2 words).
func FromFloat16(rt *vkrt.Device, dst, src *engine.Tensor) {
	engine.CheckBackend("FromFloat16", rt.Owner(), dst, src)
	n := engine.CheckFloat32("FromFloat16", "dst", dst)
	engine.CheckNumel("FromFloat16", "src", src, (n+1)/2)
	rt.Dispatch(vkrt.Kernel{Shader: "from_float16", Push: &Push{uint32(n)}, Groups: rt.Grid1D(n, local),
		Args: []vkrt.Arg{vkrt.Out(dst), vkrt.In(src)}})
}

// RoundFloat16 records t (n floats) = its values rounded to binary16, in
// place.
func RoundFloat16(rt *vkrt.Device, t *engine.Tensor) {
	engine.CheckBackend("RoundFloat16", rt.Owner(), t)
	n := engine.CheckFloat32("RoundFloat16", "t", t)
	rt.Dispatch(vkrt.Kernel{Shader: "round_float16", Push: &Push{uint32(n)}, Groups: rt.Grid1D(n, local),
		Args: []vkrt.Arg{vkrt.InOut(t)}})
}
