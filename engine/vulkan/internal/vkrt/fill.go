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
	d.fillWords(dst, engine.CheckSame("Fill", []string{"dst"}, dst), v)
}

// fillWords sets the words words of t's memory to the bits of v (New's
// zero fill of a tensor of any dtype).
func (d *Device) fillWords(t *engine.Tensor, words int, v float32) {
	d.Dispatch(Kernel{Shader: "fill", Push: &PushFill{uint32(words), v}, Groups: d.Grid1D(words, 256), Args: []Arg{Out(t)}})
}
