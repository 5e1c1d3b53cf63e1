package vkrt

import "simclr-vk/engine"

// PushFill mirrors `{ uint n; float v; }` of fill.comp.
type PushFill struct {
	N uint32
	V float32
}

// Fill sets dst[i] = v (fill.comp, 256 invocations per workgroup over
// Grid1D). It lives in the runtime because New zero-fills through it.
func (d *Device) Fill(dst *engine.Tensor, v float32) {
	engine.CheckBackend("Fill", d.owner, dst)
	n := engine.CheckSame("Fill", []string{"dst"}, dst)
	d.Dispatch(Kernel{Shader: "fill", Push: &PushFill{uint32(n), v}, Groups: d.Grid1D(n, 256), Args: []Arg{Out(dst)}})
}
