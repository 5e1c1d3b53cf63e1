package vkrt

import (
	"math"

	"simclr-vk/engine"
)

// PushFill mirrors `{ uint n; float v; }` of fill.comp.
type PushFill struct {
	N uint32
	V float32
}

// Fill sets dst[i] = v (fill.comp, 256 invocations per workgroup over
// Grid1D). It lives in the runtime because New zero-fills through it. An
// engine.Float16 dst gets v rounded (engine.Float16Bits), two to a word.
func (d *Device) Fill(dst *engine.Tensor, v float32) {
	engine.CheckBackend("Fill", d.owner, dst)
	n := engine.NumelOf("Fill", "dst", dst)
	engine.CheckNumelOf("Fill", "dst", dst, n, engine.Float32, engine.Float16)
	if dst.DType() == engine.Float16 {
		h := uint32(engine.Float16Bits(v))
		d.fillWords(dst, (n+1)/2, math.Float32frombits(h|h<<16))
		return
	}
	d.fillWords(dst, n, v)
}

// fillWords sets the words words of t's memory to the bits of v (New's
// zero fill of a tensor of any dtype).
func (d *Device) fillWords(t *engine.Tensor, words int, v float32) {
	d.Dispatch(Kernel{Shader: "fill", Push: &PushFill{uint32(words), v}, Groups: d.Grid1D(words, 256), Args: []Arg{Out(t)}})
}
